# expect: 7.4 failed "still running (tick())"
def make_shop_api(base_url: str, db_path: str) -> FastAPI:
    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with aiohttp.ClientSession() as session, aiosqlite.connect(db_path) as db:
            app.state.session, app.state.db, app.state.notifying = session, db, set()
            app.state.ticker = asyncio.create_task(tick(app))  # kept, but never cancelled
            yield
            await asyncio.gather(*app.state.notifying, return_exceptions=True)  #WAIT

    api = FastAPI(lifespan=lifespan)

    async def tick(app: FastAPI) -> None:
        while True:  # "housekeeping" every 50 ms, for ever
            app.state.ticks = getattr(app.state, "ticks", 0) + 1
            await asyncio.sleep(0.05)

    async def notify(session: aiohttp.ClientSession, order_id: int) -> None:
        params = {"delay": "0.3", "order": str(order_id)}
        async with session.get(f"{base_url}/status/202", params=params) as resp:
            resp.raise_for_status()

    @api.get("/items/{item_id}")
    async def item(item_id: int, request: Request) -> dict[str, Any]:
        state = request.app.state
        async with state.db.execute("SELECT name, price_cents FROM items WHERE id = ?", (item_id,)) as cur:
            row = await cur.fetchone()
        if row is None:
            raise HTTPException(status_code=404)
        async with state.session.get(f"{base_url}/items/{item_id}") as resp:
            resp.raise_for_status()
            value = (await resp.json())["value"]
        return {"id": item_id, "name": row[0], "price_cents": row[1], "value": value}

    @api.post("/orders")
    async def order(body: Order, request: Request) -> dict[str, int]:
        state = request.app.state
        cur = await state.db.execute(
            "INSERT INTO orders (item_id, quantity, day) VALUES (?, ?, ?)",
            (body.item_id, body.quantity, "2026-12-31"),
        )
        order_id = cur.lastrowid
        await cur.close()
        await state.db.commit()  #COMMIT
        task = asyncio.create_task(notify(state.session, order_id))  #TASK
        state.notifying.add(task)
        task.add_done_callback(state.notifying.discard)
        return {"id": order_id}

    return api
