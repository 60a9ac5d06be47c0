# expect: 1.1 failed "must be a coroutine function"
def fetch_all(urls: list[str]) -> list[dict]:
    return [json.load(urllib.request.urlopen(u)) for u in urls]
