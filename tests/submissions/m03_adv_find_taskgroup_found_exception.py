# expect: 3.3 passed "item 107 found"
# task: 3.3
# verdict: right
# clause: all satisfied
# defect: -
class _Found(Exception):
    """Raised by the worker that found the item: the TaskGroup then cancels all the others."""

    def __init__(self, item: dict) -> None:
        super().__init__("found")
        self.item = item


async def find_first(urls: list[str], workers: int, wanted) -> dict | None:
    """Fetch with `workers` workers; return the first item for which wanted(item) is true,
    cancelling the rest at once; None when no item is wanted."""
    queue: asyncio.Queue[str] = asyncio.Queue()
    for url in urls:
        queue.put_nowait(url)

    async def worker(session: aiohttp.ClientSession) -> None:
        while True:
            try:
                url = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            item = await fetch_json(session, url)
            if wanted(item):
                raise _Found(item)

    answer: dict | None = None
    async with aiohttp.ClientSession() as session:
        try:
            async with asyncio.TaskGroup() as tg:
                for _ in range(workers):
                    tg.create_task(worker(session))
        except* _Found as group:
            # several workers may find one in the same instant: take the first reported
            # (`return` is not allowed inside an except* block)
            answer = group.exceptions[0].item
    return answer
