# expect: 7.4 failed "opened no aiosqlite connection"
# task: 7.4
# verdict: wrong
# clause: "at startup opens one `aiohttp.ClientSession` and **one `aiosqlite` connection** to `db_path`"
# defect: Opens one plain sqlite3 connection in the lifespan and queries it inside the async def endpoints, so every query and commit blocks the event loop.
import sqlite3


def make_shop_api(base_url: str, db_path: str) -> FastAPI:
    """Items and orders; one session and one database connection for the app's life."""

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.jobs = set()
        db = sqlite3.connect(db_path, check_same_thread=False)  # the queries are tiny
        try:
            async with aiohttp.ClientSession() as session:
                app.state.session, app.state.db = session, db
                yield
                await asyncio.gather(*app.state.jobs, return_exceptions=True)
        finally:
            db.close()

    api = FastAPI(lifespan=lifespan)

    async def notify(session: aiohttp.ClientSession, order_id: int) -> None:
        async with session.get(f"{base_url}/status/202",
                               params={"delay": "0.3", "order": str(order_id)}) as resp:
            await resp.read()

    @api.get("/items/{item_id}")
    async def get_item(item_id: int, request: Request) -> dict[str, Any]:
        row = request.app.state.db.execute(
            "SELECT name, price_cents FROM items WHERE id = ?", (item_id,)).fetchone()
        if row is None:
            raise HTTPException(status_code=404)
        async with request.app.state.session.get(f"{base_url}/items/{item_id}") as resp:
            value = (await resp.json())["value"]
        return {"id": item_id, "name": row[0], "price_cents": row[1], "value": value}

    @api.post("/orders")
    async def post_order(order: Order, request: Request) -> dict[str, int]:
        db = request.app.state.db
        cursor = db.execute("INSERT INTO orders (item_id, quantity, day) VALUES (?, ?, ?)",
                            (order.item_id, order.quantity, "2026-12-31"))
        db.commit()
        order_id = cursor.lastrowid
        task = asyncio.create_task(notify(request.app.state.session, order_id))
        request.app.state.jobs.add(task)
        task.add_done_callback(request.app.state.jobs.discard)
        return {"id": order_id}

    return api
