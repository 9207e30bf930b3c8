"""The callback queue as staff see it: each request's state and due time, overdue ones first.

A request is due once `window` of office time (sources/staff.yml, bot/requests/office_hours.py) has
passed since it was left: what the resident was promised ("尽快" within office hours, else from
the next opening) plus the time staff are given to call.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from bot.requests.office_hours import OfficeHours
from bot.requests.phone import mask_phone
from bot.requests.store import BEIJING, CLOSED, CallbackRequest, beijing_time

WAITING, CLAIMED, CALLED, DONE = "waiting", "claimed", "called", "closed"
STATE_NAMES = {WAITING: "待认领", CLAIMED: "处理中", CALLED: "已回电，待办结", DONE: "已办结"}


def state_of(request: CallbackRequest) -> str:
    if request.status == CLOSED:
        return DONE
    if request.called_at:
        return CALLED
    return CLAIMED if request.claimed_by else WAITING


@dataclass(frozen=True)
class QueueItem:
    request: CallbackRequest
    state: str
    created: datetime  # Beijing time
    due: datetime  # Beijing time
    overdue: bool

    @property
    def state_name(self) -> str:
        return STATE_NAMES[self.state]

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.request.phone)


def due_time(request: CallbackRequest, hours: OfficeHours, window: timedelta) -> datetime:
    return hours.after_open_time(request.created_at.replace(tzinfo=timezone.utc), window).astimezone(BEIJING)


def item(request: CallbackRequest, hours: OfficeHours, window: timedelta, now: datetime) -> QueueItem:
    state = state_of(request)
    due = due_time(request, hours, window)
    return QueueItem(request, state, beijing_time(request.created_at), due,
                     overdue=state in (WAITING, CLAIMED) and due < now)


def queue(requests: list[CallbackRequest], hours: OfficeHours, window: timedelta, now: datetime) -> list[QueueItem]:
    """Open requests: overdue first, then by due time; a call made sinks below calls still to make."""
    items = [item(r, hours, window, now) for r in requests if r.status != CLOSED]
    return sorted(items, key=lambda i: (not i.overdue, i.state == CALLED, i.due, i.request.id))


def closed(requests: list[CallbackRequest], hours: OfficeHours, window: timedelta, now: datetime) -> list[QueueItem]:
    """Closed requests, the latest closed first."""
    items = [item(r, hours, window, now) for r in requests if r.status == CLOSED]
    return sorted(items, key=lambda i: (i.request.closed_at or i.request.created_at, i.request.id), reverse=True)
