"""A list of any length that reads only what it shows.

``VirtualList`` is a line-API ``ScrollView``: its virtual height is the row
count, and ``render_line`` draws a row from a cache of blocks of ``BLOCK``
rows. A missing block is drawn as a placeholder and fetched by a worker; the
paint never waits on the database.

Random access without ``OFFSET``: a worker counts the rows and fetches every
``STEP``-th key once (the anchors). Block ``b`` then starts after the previous
block's last key when that block is cached (scrolling), or after the nearest
anchor plus at most ``STEP`` keys read from an index (jumping). A listing that
cannot be counted (search results) is open-ended: it grows a block at a time
as the cursor nears its end.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from textual import work
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from ..store import Store
from ..store.queries.keyset import Chunk, IndexedListing, Key, Listing
from .workers import ReportsWorkerErrors

T = TypeVar("T")
BLOCK = 100  # rows per query
STEP = 1000  # rows between anchors
CACHE_BLOCKS = 40  # at most 4,000 rows kept in memory


@dataclass(frozen=True)
class Column(Generic[T]):
    title: str
    width: int  # the least it needs; a column that does not fit is left out
    value: Callable[[T], str]
    grow: int = 0  # its share of any spare width


def layout(columns: Sequence[Column[Any]], width: int) -> list[tuple[Column[Any], int]]:
    """Fit columns into ``width``: drop from the right, then share what is spare."""
    fitted: list[Column[Any]] = []
    used = 0
    for column in columns:
        if used + column.width + (1 if fitted else 0) > width and fitted:
            break
        used += column.width + (1 if fitted else 0)
        fitted.append(column)
    spare = max(0, width - used)
    shares = sum(c.grow for c in fitted) or 1
    sizes = [c.width + spare * c.grow // shares for c in fitted]
    if fitted and not any(c.grow for c in fitted):
        sizes[-1] += spare
    return list(zip(fitted, sizes, strict=True))


class VirtualList(ReportsWorkerErrors, ScrollView, Generic[T], can_focus=True):
    """Rows of a :class:`Listing`, one per line, under a header line."""

    DEFAULT_CSS = """
    VirtualList { overflow-x: hidden; background: $surface; }
    VirtualList > .virtual-list--header { text-style: bold; color: $text-accent; }
    VirtualList > .virtual-list--cursor { background: $block-cursor-blurred-background; }
    VirtualList:focus > .virtual-list--cursor {
        background: $block-cursor-background; color: $block-cursor-foreground;
    }
    VirtualList > .virtual-list--marked { color: $text-warning; text-style: bold; }
    VirtualList > .virtual-list--pending { color: $text-disabled; }
    """
    COMPONENT_CLASSES = {
        "virtual-list--header",
        "virtual-list--cursor",
        "virtual-list--marked",
        "virtual-list--pending",
    }
    BINDINGS = [
        Binding("down,j", "cursor(1)", "Down", show=False, id="list.down"),
        Binding("up,k", "cursor(-1)", "Up", show=False, id="list.up"),
        Binding("pagedown", "page(1)", "Page down", show=False, id="list.page_down"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="list.page_up"),
        Binding("home,g", "jump(0)", "First", show=False, id="list.first"),
        Binding("end,G", "jump(-1)", "Last", show=False, id="list.last"),
        Binding("enter", "select", "Open", id="list.open"),
        Binding("space", "mark", "Mark", id="list.mark"),
    ]

    cursor: reactive[int] = reactive(0, always_update=True)

    class Highlighted(Message):
        def __init__(self, sender: VirtualList[Any], row: Any) -> None:
            super().__init__()
            self.list = sender
            self.row = row

    class Selected(Highlighted):
        """Enter pressed on a loaded row."""

    class Counted(Message):
        """The row count is known (None: open-ended, ``total`` rows so far)."""

        def __init__(self, sender: VirtualList[Any], total: int, exact: bool) -> None:
            super().__init__()
            self.list = sender
            self.total = total
            self.exact = exact

    def __init__(
        self,
        store: Store,
        columns: Sequence[Column[T]],
        *,
        markable: bool = False,
        block: int = BLOCK,
        step: int = STEP,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.store = store
        self.columns = list(columns)
        self.markable = markable
        self.block = block  # rows per query
        self.step = step  # rows between anchors; a multiple of block keeps walks short
        self.marked: dict[str, T] = {}
        self._listing: Listing[T] | None = None
        self._generation = 0
        self._cache: OrderedDict[int, Chunk[T]] = OrderedDict()
        self._in_flight: set[int] = set()
        self._wanted: set[int] = set()
        self._anchors: tuple[Key, ...] | None = None
        self._total = 0
        self._exact = True

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Marking exists only in lists that act on several rows at once."""
        return self.markable if action == "mark" else True

    # -- what the owner calls -------------------------------------------------

    @property
    def total(self) -> int:
        return self._total

    @property
    def listing(self) -> Listing[T] | None:
        return self._listing

    def show(self, listing: Listing[T], *, keep_cursor: bool = False) -> None:
        """Replace the rows with those of ``listing`` (loaded in workers)."""
        self._listing = listing
        self._generation += 1
        self._cache.clear()
        self._in_flight.clear()
        self._anchors = None
        indexed = _is_indexed(listing)
        self._exact = indexed
        if not keep_cursor:
            self._set_total(0)
            self.cursor = 0
            self.scroll_to(y=0, animate=False)
        if indexed:
            self._index(self._generation, listing)  # type: ignore[arg-type]
        self._want(0)
        self.refresh()

    def reload(self) -> None:
        """Read the same listing again (after a change), keeping the position."""
        if self._listing is not None:
            self.show(self._listing, keep_cursor=True)

    def row_at(self, index: int) -> T | None:
        block = self._cache.get(index // self.block)
        offset = index % self.block
        if block is None or offset >= len(block.rows):
            return None
        return block.rows[offset]

    @property
    def current(self) -> T | None:
        return self.row_at(self.cursor)

    # -- loading ----------------------------------------------------------------

    def _set_total(self, total: int) -> None:
        self._total = total
        self.virtual_size = Size(self.size.width, total + 1)
        if self.cursor >= total:
            self.cursor = max(0, total - 1)

    def _want(self, block: int) -> None:
        if block < 0 or block in self._cache or block in self._in_flight:
            return
        if not self._wanted:
            self.call_after_refresh(self._flush_wants)
        self._wanted.add(block)

    def _after_key(self, block: int) -> tuple[bool, Key | None]:
        """(known, key) for the key a block starts after, if the cache knows it."""
        if block == 0:
            return True, None
        before = self._cache.get(block - 1)
        if before is not None and before.next_key is not None:
            return True, before.next_key
        return False, None

    def _flush_wants(self) -> None:
        if self._listing is None:
            self._wanted.clear()
            return
        plan: dict[int, tuple[bool, Key | None]] = {}
        for block in sorted(self._wanted):
            known, after = self._after_key(block)
            if known or (self._exact and self._anchors is not None):
                plan[block] = (known, after)
        self._wanted.clear()
        if plan:
            self._in_flight = set(plan)
            self._load(self._generation, self._listing, plan, self._anchors)

    @work(thread=True, exclusive=True, group="list-index", exit_on_error=False)
    def _index(self, generation: int, listing: IndexedListing[T]) -> None:
        with self.store.read() as session:
            total = listing.count(session)
            self.app.call_from_thread(self._counted, generation, total)
            anchors = tuple(listing.anchors(session, self.step)) if total > self.step else ()
        self.app.call_from_thread(self._got_anchors, generation, anchors)

    @work(thread=True, exclusive=True, group="list-load", exit_on_error=False)
    def _load(
        self,
        generation: int,
        listing: Listing[T],
        plan: dict[int, tuple[bool, Key | None]],
        anchors: tuple[Key, ...] | None,
    ) -> None:
        with self.store.read() as session:
            for block, (known, after) in plan.items():
                if not known:
                    start = block * self.block
                    after = _walk(session, listing, anchors or (), start, self.step)  # type: ignore[arg-type]
                chunk = listing.page(session, after, self.block)
                self.app.call_from_thread(self._loaded, generation, block, chunk)

    def _counted(self, generation: int, total: int) -> None:
        if generation == self._generation:
            self._set_total(total)
            self.post_message(self.Counted(self, total, True))
            self.refresh()

    def _got_anchors(self, generation: int, anchors: tuple[Key, ...]) -> None:
        if generation == self._generation:
            self._anchors = anchors
            self.refresh()

    def _loaded(self, generation: int, block: int, chunk: Chunk[T]) -> None:
        if generation != self._generation:
            return
        self._in_flight.discard(block)
        self._cache[block] = chunk
        self._evict()
        if not self._exact:
            self._grow(block, chunk)
        self.refresh()
        if block * self.block <= self.cursor < (block + 1) * self.block:
            self._announce()

    def _grow(self, block: int, chunk: Chunk[T]) -> None:
        """An open-ended list knows its rows up to the last loaded block."""
        last = max(self._cache)
        if block == last:
            size = block * self.block + len(chunk.rows) + (1 if chunk.next_key else 0)
            self._set_total(size)
            self.post_message(self.Counted(self, size - (1 if chunk.next_key else 0), False))

    def _evict(self) -> None:
        visible = self.cursor // self.block
        while len(self._cache) > CACHE_BLOCKS:
            oldest = next(iter(self._cache))
            if abs(oldest - visible) <= 1:
                self._cache.move_to_end(oldest)
                continue
            del self._cache[oldest]

    # -- drawing ----------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        if y == 0:
            return self._header(width)
        index = round(self.scroll_y) + y - 1
        if index >= self._total:
            return Strip.blank(width, self.rich_style)
        row = self.row_at(index)
        if row is None:
            self._want(index // self.block)
            style = self.get_component_rich_style("virtual-list--pending")
            return Strip([Segment(set_cell_size("  …", width), self.rich_style + style)])
        self._prefetch(index)
        return self._row_strip(index, row, width)

    def _prefetch(self, index: int) -> None:
        """Read the next block while the user is still in the second half of this one;
        an open-ended list reads on as soon as its end is a page away."""
        block = index // self.block
        if index % self.block > self.block // 2 and (block + 1) * self.block < self._total:
            self._want(block + 1)
        if not self._exact and index + self._page_rows >= self._total - 1:
            self._want((self._total - 1) // self.block)

    def _header(self, width: int) -> Strip:
        style = self.rich_style + self.get_component_rich_style("virtual-list--header")
        cells = [
            set_cell_size(c.title, w) for c, w in layout(self.columns, width - self._mark_width)
        ]
        return Strip(
            [Segment(set_cell_size(" " * self._mark_width + " ".join(cells), width), style)]
        )

    @property
    def _mark_width(self) -> int:
        return 2 if self.markable else 0

    def _row_strip(self, index: int, row: T, width: int) -> Strip:
        style = self.rich_style
        row_id = getattr(row, "id", None)
        mark = ""
        if self.markable:
            marked = row_id in self.marked
            mark = "● " if marked else "  "
            if marked:
                style += self.get_component_rich_style("virtual-list--marked")
        if index == self.cursor:
            style += self.get_component_rich_style("virtual-list--cursor")
        cells = [_cell(c.value(row), w) for c, w in layout(self.columns, width - self._mark_width)]
        return Strip([Segment(set_cell_size(mark + " ".join(cells), width), style)])

    # -- keys ----------------------------------------------------------------------

    @property
    def _page_rows(self) -> int:
        return max(1, self.size.height - 1)

    def watch_cursor(self, old: int, new: int) -> None:
        top = round(self.scroll_y)
        if new < top:
            self.scroll_to(y=new, animate=False)
        elif new >= top + self._page_rows:
            self.scroll_to(y=new - self._page_rows + 1, animate=False)
        self.refresh()
        self._announce()

    def _announce(self) -> None:
        row = self.current
        if row is not None:
            self.post_message(self.Highlighted(self, row))

    def action_cursor(self, step: int) -> None:
        self.cursor = max(0, min(self._total - 1, self.cursor + step))

    def action_page(self, direction: int) -> None:
        self.action_cursor(direction * self._page_rows)

    def action_jump(self, where: int) -> None:
        self.cursor = max(0, self._total - 1) if where < 0 else 0

    def action_select(self) -> None:
        row = self.current
        if row is not None:
            self.post_message(self.Selected(self, row))

    def action_mark(self) -> None:
        row = self.current
        row_id = getattr(row, "id", None)
        if row is None or row_id is None:
            return
        if row_id in self.marked:
            del self.marked[row_id]
        else:
            self.marked[row_id] = row
        self.action_cursor(1)
        self.refresh()


def _is_indexed(listing: Listing[Any]) -> bool:
    return all(hasattr(listing, name) for name in ("count", "anchors", "keys_after"))


def _walk(
    session: Any, listing: IndexedListing[Any], anchors: tuple[Key, ...], start: int, step: int
) -> Key | None:
    """The key just before row ``start``: the nearest anchor, then a short index walk."""
    stride = min(start // step, len(anchors))
    after = anchors[stride - 1] if stride else None
    skip = start - stride * step
    if skip == 0:
        return after
    keys = listing.keys_after(session, after, skip)
    return keys[-1] if keys else after


def _cell(value: str, width: int) -> str:
    value = " ".join((value or "").split())  # one line, whatever the data holds
    if cell_len(value) > width:
        return set_cell_size(value, max(0, width - 1)) + "…"
    return set_cell_size(value, width)
