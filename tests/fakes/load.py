"""A small load for switch tests: clients calling all the time, what each call returned, every
failure (an exception or an empty answer) kept."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class Load:
    """`clients` threads each calling `call(turn)` (turn 0, 1, 2, … per client) until the block
    ends, `pause` seconds apart."""

    def __init__(self, call: Callable[[int], str], clients: int = 3, pause: float = 0.0) -> None:
        self.call, self.pause = call, pause
        self.stop, self.answers, self.errors = threading.Event(), [], []
        self.threads = [threading.Thread(target=self.run, args=(n,)) for n in range(clients)]

    @property
    def ok(self) -> int:
        return len(self.answers)

    def run(self, turn: int) -> None:
        while not self.stop.is_set():
            try:
                answer = self.call(turn)
                (self.answers.append(answer) if answer else self.errors.append("empty answer"))
            except Exception as error:  # every failure counts
                self.errors.append(repr(error)[:200])
            turn += 1
            time.sleep(self.pause)

    def __enter__(self) -> Load:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *_) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join()
