"""What does a thread page (30 posts of Markdown) cost to serve? Prints ms per page; asserts nothing.

    .venv/bin/python bench/thread_page.py                 # SQLite in a temporary directory
    .venv/bin/python bench/thread_page.py --rounds 5 --requests 200

Each round times the page twice, interleaved: with the stored HTML (what pages do) and with every
post's text_version set below portal.text.SANITISER_VERSION, so each view renders Markdown and runs
bleach again, as every view did before the HTML was stored. Through the whole Flask stack, anonymous,
a public group.
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import update  # noqa: E402

WORDS = ("scuola libri pulmino merenda doposcuola quartiere famiglie bambini giardino festa sabato "
         "mattina biblioteca compiti aiuto grazie insieme cortile").split()


def post_text(rng: random.Random) -> str:
    """A few paragraphs like residents write: some bold, a list, a link now and then."""
    paragraphs = []
    for _ in range(rng.randint(2, 4)):
        words = [rng.choice(WORDS) for _ in range(rng.randint(15, 40))]
        words[rng.randrange(len(words))] = f"**{rng.choice(WORDS)}**"
        paragraphs.append(" ".join(words).capitalize() + ".")
    if rng.random() < 0.3:
        paragraphs.append("\n".join(f"- {rng.choice(WORDS)}" for _ in range(3)))
    if rng.random() < 0.3:
        paragraphs.append("Vedi https://example.org/avvisi per gli orari.")
    return "\n\n".join(paragraphs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--requests", type=int, default=100, help="page views per measurement")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="cortile-bench-"))
    os.environ["CORTILE_INSTANCE_PATH"] = str(workdir)
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    from forums.models import Post, Thread
    from portal import create_app, db, text
    from portal.accounts import service
    from portal.groups.models import Group, GroupKind, JoinPolicy, Visibility
    from portal.migrations import upgrade_to_head
    from portal.places.seed import seed_city

    app = create_app()
    rng = random.Random(16)
    with app.app_context():
        upgrade_to_head()
        with db.write_transaction():
            seed_city()
            author = service.register(nickname="bench-author", password="a long bench password",
                                      email=None, home_neighbourhood_id=None, language="it")
            group = Group(slug="bench", name="Bench", kind=GroupKind.MUTUAL_AID, visibility=Visibility.PUBLIC,
                          join_policy=JoinPolicy.OPEN)
            db.session.add(group)
            db.session.flush()
            thread = Thread(group_id=group.id, author_id=author.id, title="Doposcuola a settembre")
            db.session.add(thread)
            for number in range(30):
                db.session.add(Post(thread=thread, author_id=author.id, is_opening=number == 0,
                                    body=post_text(rng)))
        thread_id = thread.id
    client = app.test_client()
    url = f"/forums/threads/{thread_id}"
    assert client.get(url).status_code == 200

    def stale(version: int) -> None:
        with app.app_context(), db.write_transaction():
            db.session.execute(update(Post).values(text_version=version))

    def measure() -> float:
        started = time.perf_counter()
        for _ in range(args.requests):
            client.get(url)
        return (time.perf_counter() - started) * 1000 / args.requests

    stored, rendering = [], []
    for _ in range(args.rounds):
        stale(text.SANITISER_VERSION)
        stored.append(measure())
        stale(text.SANITISER_VERSION - 1)
        rendering.append(measure())
    size = len(client.get(url).data)
    print(f"thread page, 30 posts, {size / 1024:.1f} KB, ms per page (median of {args.rounds} rounds "
          f"of {args.requests}):")
    print(f"  rendering on every view: {statistics.median(rendering):6.2f} ms  {[round(ms, 1) for ms in rendering]}")
    print(f"  stored HTML:             {statistics.median(stored):6.2f} ms  {[round(ms, 1) for ms in stored]}")


if __name__ == "__main__":
    main()
