from fastapi import FastAPI
from sqlalchemy import text

from app.db import engine

app = FastAPI(title="Tallybook")


@app.get("/health")
def health() -> dict:
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))
    return {"status": "ok", "database": "ok"}
