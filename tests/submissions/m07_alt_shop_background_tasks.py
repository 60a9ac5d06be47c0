# expect: 7.4 passed "every notification finished"
from fastapi import BackgroundTasks


def make_shop_api(base_url: str, db_path: str) -> FastAPI:
    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[dict[str, Any]]:
        async with aiohttp.ClientSession() as session, aiosqlite.connect(db_path) as db:
            yield {"session": session, "db": db}  # lifespan state: request.state.session, .db

    api = FastAPI(lifespan=lifespan)

    async def notify(session: aiohttp.ClientSession, order_id: int) -> None:
        async with session.get(f"{base_url}/status/202", params={"delay": "0.3", "order": str(order_id)}) as resp:
            resp.raise_for_status()

    @api.get("/items/{item_id}")
    async def item(item_id: int, request: Request) -> dict[str, Any]:
        rows = await request.state.db.execute_fetchall("SELECT name, price_cents FROM items WHERE id = ?", (item_id,))
        if not rows:
            raise HTTPException(status_code=404)
        async with request.state.session.get(f"{base_url}/items/{item_id}") as resp:
            value = (await resp.json())["value"]
        name, price = rows[0]
        return {"id": item_id, "name": name, "price_cents": price, "value": value}

    @api.post("/orders")
    async def order(body: Order, request: Request, background: BackgroundTasks) -> dict[str, int]:
        db = request.state.db
        async with db.execute("INSERT INTO orders (item_id, quantity, day) VALUES (?, ?, ?)",
                              (body.item_id, body.quantity, "2026-12-31")) as cur:
            order_id = cur.lastrowid
        await db.commit()
        background.add_task(notify, request.state.session, order_id)  # after the answer
        return {"id": order_id}

    return api
