"""The official Python SDK (b24pysdk) against `b24 emulate --tls`, as its users call it.

Usage: python b24pysdk_client.py WEBHOOK_URL  (with REQUESTS_CA_BUNDLE naming the emulator's CA)
Prints one JSON object with what each step saw; `crates/b24-cli/tests/python_sdk.rs` checks it.
"""

import json
import sys
from urllib.parse import urlsplit

from b24pysdk import BitrixWebhook, Client
from b24pysdk.errors import BitrixBaseAPIError


def main(webhook_url):
    parts = urlsplit(webhook_url)
    # https://HOST:PORT/rest/USER/CODE/ -> domain HOST:PORT, token USER/CODE
    token = parts.path.split("/rest/", 1)[1].strip("/")
    client = Client(BitrixWebhook(domain=parts.netloc, webhook_token=token))
    seen = {}

    # im.dialog.users.list, page by page to the end (OFFSET = the answer's `next`).
    members, pages, offset = [], 0, 0
    while True:
        request = client.im.dialog.users.list("chat1", limit=50, offset=offset)
        response = request.response
        pages += 1
        members.extend(user["id"] for user in request.result)
        if response.next is None:
            break
        offset = response.next
    seen["members"] = members
    seen["pages"] = pages
    seen["total"] = response.total

    # im.message.add
    seen["message_id"] = client.im.message.add("chat1", message="from b24pysdk").result

    # A batch of two commands.
    batch = client.call_batch(
        {
            "first": client.im.dialog.users.list("chat1", limit=2),
            "counters": client.im.counters.get(),
        }
    )
    result = batch.result
    seen["batch_first"] = [user["id"] for user in result.result["first"]]
    seen["batch_counters"] = sorted(result.result["counters"].keys())

    # An error: a chat the webhook user is not a member of.
    try:
        client.im.dialog.users.list("chat5").result
        seen["error"] = None
    except BitrixBaseAPIError as error:
        seen["error"] = {
            "code": error.json_response.get("error"),
            "status": error.response.status_code,
            "class": type(error).__name__,
        }

    print(json.dumps(seen))


if __name__ == "__main__":
    main(sys.argv[1])
