"""Writes bot/sandbox/botapi.json: the methods of the Bot API reference, without prose.

Usage: python tools/slim_botapi.py ../shared/telegram/api.json
Source: PaulSonOfLars/telegram-bot-api-spec (MIT), a scrape of core.telegram.org/bots/api.
"""

import json
import sys
from pathlib import Path

source = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
methods = {
    name: {
        "returns": method.get("returns", []),
        "fields": [
            {"name": f["name"], "types": f["types"], "required": f["required"]}
            for f in method.get("fields", [])
        ],
    }
    for name, method in sorted(source["methods"].items())
}
out = {"version": source["version"], "release_date": source["release_date"], "methods": methods}
target = Path(__file__).resolve().parent.parent / "bot" / "sandbox" / "botapi.json"
target.write_text(json.dumps(out, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
print(f"{len(methods)} methods → {target}")
