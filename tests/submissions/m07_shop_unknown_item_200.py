# expect: 7.4 failed "GET /items/9999 (not in the table) answered status 200; expected 404"
def make_shop_api(base_url: str, db_path: str) -> FastAPI:
    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with aiohttp.ClientSession() as session, aiosqlite.connect(db_path) as db:
            app.state.session, app.state.db, app.state.notifying = session, db, set()
            yield
            await asyncio.gather(*app.state.notifying, return_exceptions=True)  #WAIT

    api = FastAPI(lifespan=lifespan)

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
            return {"id": item_id, "name": None, "price_cents": None, "value": None}  # 200, not 404
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
