# expect: 7.4 passed "every notification finished (202)"
# task: 7.4
# verdict: right
# clause: all satisfied
# defect: -
def make_shop_api(base_url: str, db_path: str) -> FastAPI:
    """Items and orders; one session and one database connection for the app's life."""

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with contextlib.AsyncExitStack() as stack:
            app.state.session = await stack.enter_async_context(aiohttp.ClientSession())
            app.state.db = await stack.enter_async_context(aiosqlite.connect(db_path))
            # Entered last, left first: the TaskGroup holds a reference to every notification
            # and, on the way out, waits for all of them before the stack closes db and session.
            app.state.notifications = await stack.enter_async_context(asyncio.TaskGroup())
            yield

    api = FastAPI(lifespan=lifespan)

    async def notify(session: aiohttp.ClientSession, order_id: int) -> None:
        try:
            async with session.get(f"{base_url}/status/202",
                                   params={"delay": "0.3", "order": str(order_id)}) as resp:
                await resp.read()
        except aiohttp.ClientError as error:  # one failed notification must not cancel the others
            print(f"notification of order {order_id} failed: {error!r}")

    @api.get("/items/{item_id}")
    async def get_item(item_id: int, request: Request) -> dict[str, Any]:
        async with request.app.state.db.execute(
                "SELECT name, price_cents FROM items WHERE id = ?", (item_id,)) as cursor:
            row = await cursor.fetchone()
        if row is None:
            raise HTTPException(status_code=404)
        async with request.app.state.session.get(f"{base_url}/items/{item_id}") as resp:
            resp.raise_for_status()
            value = (await resp.json())["value"]
        return {"id": item_id, "name": row[0], "price_cents": row[1], "value": value}

    @api.post("/orders")
    async def post_order(order: Order, request: Request) -> dict[str, int]:
        db = request.app.state.db
        async with db.execute("INSERT INTO orders (item_id, quantity, day) VALUES (?, ?, ?)",
                              (order.item_id, order.quantity, "2026-12-31")) as cursor:
            order_id = cursor.lastrowid
        await db.commit()
        request.app.state.notifications.create_task(notify(request.app.state.session, order_id))
        return {"id": order_id}

    return api
