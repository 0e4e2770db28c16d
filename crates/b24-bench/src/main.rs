//! `b24-bench`: see the library documentation for what each benchmark measures.

fn main() -> std::process::ExitCode {
    b24_bench::main()
}
