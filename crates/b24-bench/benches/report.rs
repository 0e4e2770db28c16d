//! `cargo bench -p b24-bench`: the same report as `cargo run --release -p b24-bench`.

fn main() -> std::process::ExitCode {
    b24_bench::main()
}
