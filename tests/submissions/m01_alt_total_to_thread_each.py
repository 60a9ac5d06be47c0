# expect: 1.4 passed "fetched concurrently"
async def total_value(urls: list[str]) -> int:
    # The blocking fetch of one URL, each in its own thread, all at once.
    def one(url: str) -> int:
        with direct.open(url, timeout=10) as resp:
            return json.load(resp)["value"]

    values = await asyncio.gather(*(asyncio.to_thread(one, url) for url in urls))
    return sum(values)
