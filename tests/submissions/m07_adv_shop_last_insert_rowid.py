# expect: 7.4 failed "expected 8 different ones"
# task: 7.4
# verdict: wrong
# clause: "answers `{"id": <the new row's id>}`"
# defect: Reads the id with SELECT last_insert_rowid() after an await on the shared connection, so with concurrent orders it can return another request's row id.
def make_shop_api(base_url: str, db_path: str) -> FastAPI:
    """Items and orders; one session and one database connection for the app's life."""

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.jobs = set()
        async with aiohttp.ClientSession() as session, aiosqlite.connect(db_path) as db:
            app.state.session, app.state.db = session, db
            yield
            await asyncio.gather(*app.state.jobs, return_exceptions=True)  # before closing

    api = FastAPI(lifespan=lifespan)

    async def notify(session: aiohttp.ClientSession, order_id: int) -> None:
        async with session.get(f"{base_url}/status/202",
                               params={"delay": "0.3", "order": str(order_id)}) as resp:
            await resp.read()

    @api.get("/items/{item_id}")
    async def get_item(item_id: int, request: Request) -> dict[str, Any]:
        async with request.app.state.db.execute(
                "SELECT name, price_cents FROM items WHERE id = ?", (item_id,)) as cursor:
            row = await cursor.fetchone()
        if row is None:
            raise HTTPException(status_code=404)
        async with request.app.state.session.get(f"{base_url}/items/{item_id}") as resp:
            value = (await resp.json())["value"]
        return {"id": item_id, "name": row[0], "price_cents": row[1], "value": value}

    @api.post("/orders")
    async def post_order(order: Order, request: Request) -> dict[str, int]:
        db = request.app.state.db
        await db.execute("INSERT INTO orders (item_id, quantity, day) VALUES (?, ?, ?)",
                         (order.item_id, order.quantity, "2026-12-31"))
        await db.commit()
        async with db.execute("SELECT last_insert_rowid()") as cursor:
            order_id = (await cursor.fetchone())[0]
        task = asyncio.create_task(notify(request.app.state.session, order_id))
        request.app.state.jobs.add(task)
        task.add_done_callback(request.app.state.jobs.discard)
        return {"id": order_id}

    return api
