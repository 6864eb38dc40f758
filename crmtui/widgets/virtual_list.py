"""A list of any length that reads only what it shows.

``VirtualList`` is a line-API ``ScrollView``: its virtual height is the row
count, and ``render_line`` draws a row from a cache of blocks of ``BLOCK``
rows. A missing block is drawn as a placeholder and fetched by a worker; the
paint never waits on the database. When the list is given another listing (a
keystroke in a search), the old rows stay on screen for up to ``STALE_S``
while the new ones are read: a quick answer then costs one repaint of the
list, not a repaint with placeholders and another with the rows.

Random access without ``OFFSET``: a worker counts the rows and fetches every
``STEP``-th key once (the anchors). Block ``b`` then starts after the previous
block's last key when that block is cached (scrolling), or after the nearest
anchor plus at most ``STEP`` keys read from an index (jumping). A listing that
cannot be counted (search results) is open-ended: it grows a block at a time
as the cursor nears its end.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from textual import work
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.timer import Timer

from ..store import Store
from ..store.queries.keyset import Chunk, IndexedListing, Key, Listing
from ..store.sql import Db
from .columns import Column, Painter, Styles
from .workers import ReportsWorkerErrors

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Block(Generic[T]):
    """One page of rows as cached: the rows, their cells' texts, the key after them."""

    rows: Sequence[T]
    texts: Sequence[tuple[str, ...]]
    next_key: Key | None


BLOCK = 50  # rows per query: a screenful or two
STEP = 1000  # rows between anchors
REMEMBERED = 4  # listings whose count and anchors are kept (see reload)
CACHE_BLOCKS = 40  # at most 4,000 rows kept in memory
STALE_S = 0.1  # the longest the old rows stand in for those of a new listing


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
        self._cache: OrderedDict[int, Block[T]] = OrderedDict()
        self._stale: OrderedDict[int, Block[T]] = OrderedDict()  # see STALE_S
        self._stale_timer: Timer | None = None
        self._in_flight: set[int] = set()
        self._wanted: set[int] = set()
        self._anchors: tuple[Key, ...] | None = None
        self._total = 0
        self._exact = True
        self._count_known = False  # an indexed listing's count has come back
        # (count, anchors) of the listings shown lately, forgotten by reload():
        # going back from a search to the browsing list then costs no recount
        # of a million rows (whose reads would slow the next search down).
        self._indexes: OrderedDict[Listing[T], tuple[int, tuple[Key, ...]]] = OrderedDict()
        self._painter: Painter[T] | None = None

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

    @property
    def standing_in(self) -> bool:
        """The old rows still show while the new listing's first are read."""
        return bool(self._stale)

    def show(
        self,
        listing: Listing[T],
        *,
        keep_cursor: bool = False,
        total: int | None = None,
        first: Block[T] | None = None,
    ) -> None:
        """Replace the rows with those of ``listing`` (loaded in workers).

        An owner that has already read the row count (``total``, of an indexed
        listing) and the first block (``first``, see :func:`block_of`) in its
        own worker passes them: they show at once, with no read of their own.
        """
        self._listing = listing
        self._generation += 1
        unmoved = keep_cursor or (self.cursor == 0 and round(self.scroll_y) == 0)
        self._keep_stale(self._cache if unmoved else OrderedDict())
        self._cache = OrderedDict()
        self._in_flight.clear()
        self._anchors = None
        indexed = _is_indexed(listing)
        self._exact = indexed
        self._count_known = False
        if not keep_cursor:
            # The old length stays until the new one is known, so the scrollbar does
            # not go and come back, each time with a layout of the whole screen, at
            # every keystroke of a search. (The cursor always repaints when set.)
            if self.cursor:
                self.cursor = 0
            self.scroll_to(y=0, animate=False)
        known = total if indexed else None
        remembered = self._remembered(listing) if indexed and known is None else None
        if remembered is not None:
            known, self._anchors = remembered
        elif indexed and known is None:
            self._index(self._generation, listing, None)  # type: ignore[arg-type]
        elif indexed:
            # Counted already: the anchors (for jumps only) are read after the paint.
            self.call_after_refresh(self._index_later, self._generation, listing, known)
        if known is not None or first is not None:
            self._prime(known, first)
        if first is not None:
            self._keep_stale(OrderedDict())  # the new rows are here: no stand-ins
        else:
            # The first block is read now, not after the next paint: a search's
            # results are on their way while the old rows still show.
            self._wanted.add(0)
            self._flush_wants()
        if not self._stale:
            self.refresh()

    def _keep_stale(self, blocks: OrderedDict[int, Block[T]]) -> None:
        """Paint ``blocks`` until the new listing's first block comes, or STALE_S."""
        if self._stale_timer is not None:
            self._stale_timer.stop()
            self._stale_timer = None
        self._stale = blocks
        if blocks:
            self._stale_timer = self.set_timer(STALE_S, self._drop_stale)

    def _drop_stale(self) -> None:
        if self._stale:
            self._keep_stale(OrderedDict())
            self.refresh()

    def _prime(self, total: int | None, first: Block[T] | None) -> None:
        """Take what the owner read: shown at the next paint, but told (Counted,
        Highlighted) from this list's own queue. A message made in the owner's
        handler counts as the owner's, and stops bubbling at the owner when it is
        this list's parent."""
        if total is not None:
            self._count_known = True
            self._set_total(total)
        if first is not None:
            self._cache[0] = first
            if not self._count_known:
                self._set_total(max(self._total, len(first.rows)))
        self.call_later(self._primed, self._generation, total)

    def _index_later(self, generation: int, listing: IndexedListing[T], total: int) -> None:
        if generation == self._generation:
            self._index(generation, listing, total)

    def _primed(self, generation: int, total: int | None) -> None:
        if generation != self._generation:
            return
        if total is not None:
            self.post_message(self.Counted(self, total, True))
        self._announce()

    def _remembered(self, listing: Listing[T]) -> tuple[int, tuple[Key, ...]] | None:
        try:
            return self._indexes.get(listing)
        except TypeError:  # a listing that cannot be hashed is never remembered
            return None

    def _remember(self, listing: Listing[T], total: int, anchors: tuple[Key, ...]) -> None:
        try:
            self._indexes[listing] = (total, anchors)
        except TypeError:
            return
        self._indexes.move_to_end(listing)
        while len(self._indexes) > REMEMBERED:
            self._indexes.popitem(last=False)

    def reload(self) -> None:
        """Read the same listing again (after a change), keeping the position."""
        self._indexes.clear()  # the data changed: every count may have too
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
            self._in_flight |= set(plan)
            self._load(self._generation, self._listing, plan, self._anchors)

    # Not exclusive, unlike most workers: cancelling a thread does not stop it,
    # and a newer load must not disown blocks an older one is still reading
    # (they would be asked for again, twice over). Answers for a listing no
    # longer shown are dropped by their generation number instead.
    @work(thread=True, group="list-index", exit_on_error=False)
    def _index(self, generation: int, listing: IndexedListing[T], total: int | None) -> None:
        with self.store.snapshot() as db:
            if total is None:
                total = listing.count(db)
                self.app.call_from_thread(self._counted, generation, total)
            anchors = tuple(listing.anchors(db, self.step)) if total > self.step else ()
        self.app.call_from_thread(self._got_anchors, generation, anchors, total)

    @work(thread=True, group="list-load", exit_on_error=False)
    def _load(
        self,
        generation: int,
        listing: Listing[T],
        plan: dict[int, tuple[bool, Key | None]],
        anchors: tuple[Key, ...] | None,
    ) -> None:
        with self.store.snapshot() as db:
            for block, (known, after) in plan.items():
                if not known:
                    start = block * self.block
                    after = _walk(db, listing, anchors or (), start, self.step)  # type: ignore[arg-type]
                chunk = listing.page(db, after, self.block)
                self.app.call_from_thread(self._loaded, generation, block, self._texts(chunk))

    def _texts(self, chunk: Chunk[T]) -> Block[T]:
        """Work out every cell's text here, in the loader's thread, so that painting
        a row (on the UI thread) only pads and joins strings."""
        return block_of(chunk, self.columns)

    def _counted(self, generation: int, total: int) -> None:
        if generation == self._generation:
            self._count_known = True
            self._set_total(total)
            self.post_message(self.Counted(self, total, True))
            self.refresh()

    def _got_anchors(self, generation: int, anchors: tuple[Key, ...], total: int) -> None:
        if generation == self._generation:
            self._anchors = anchors
            if self._listing is not None:
                self._remember(self._listing, total, anchors)
            self.refresh()

    def _loaded(self, generation: int, block: int, chunk: Block[T]) -> None:
        if generation != self._generation:
            return
        self._in_flight.discard(block)
        self._keep_stale(OrderedDict())  # the refresh below paints over the old rows
        self._cache[block] = chunk
        self._evict()
        if not self._exact:
            self._grow(block, chunk)
        elif not self._count_known:
            # The rows came before the count (a million rows take a while to
            # count): show them now; the count makes the list its full length.
            self._set_total(max(self._total, block * self.block + len(chunk.rows)))
        top = round(self.scroll_y)
        first, last = block * self.block, (block + 1) * self.block
        if first < top + self._page_rows and last > top:
            # Only a block on screen repaints: one read ahead for the next
            # page-down would otherwise cost a whole repaint of the list.
            self.refresh()
        if first <= self.cursor < last:
            self._announce()

    def _grow(self, block: int, chunk: Block[T]) -> None:
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
        painter = self._painter_for(self.scrollable_content_region.width)
        if y == 0:
            return painter.header()
        index = round(self.scroll_y) + y - 1
        if index >= self._total:
            return painter.blank()
        block = self._cache.get(index // self.block)
        offset = index % self.block
        if block is None or offset >= len(block.rows):
            self._want(index // self.block)
            block = self._stale.get(index // self.block)
            if block is None or offset >= len(block.rows):
                return painter.pending()
        else:
            self._prefetch(index)
        row = block.rows[offset]
        marked = (getattr(row, "id", None) in self.marked) if self.markable else None
        return painter.row(block.texts[offset], cursor=index == self.cursor, marked=marked)

    def _painter_for(self, width: int) -> Painter[T]:
        if self._painter is None or self._painter.width != width:
            style = self.get_component_rich_style
            styles = Styles(
                self.rich_style,
                self.rich_style + style("virtual-list--header"),
                style("virtual-list--cursor"),
                style("virtual-list--marked"),
                self.rich_style + style("virtual-list--pending"),
            )
            self._painter = Painter(self.columns, width, 2 if self.markable else 0, styles)
        return self._painter

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._painter = None  # focus, theme or CSS changed: styles are read again

    def _prefetch(self, index: int) -> None:
        """Have the rows up to two pages down (one up) read before page-down or
        page-up asks for them: a key held down outpaces a read of one page ahead
        on a busy machine. An open-ended list so reads on as its end comes near."""
        if not self._exact and not self.has_focus:
            # Search results while the user types: each keystroke would read a
            # second page nobody looks at (and grow the list, a layout). Reading
            # on when the list takes the focus, which repaints it.
            return
        page = self._page_rows
        self._want(min(self._total - 1, index + page) // self.block)
        self._want(min(self._total - 1, index + 2 * page) // self.block)
        if index >= page:
            self._want((index - page) // self.block)

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


def block_of(chunk: Chunk[T], columns: Sequence[Column[T]]) -> Block[T]:
    """A page of rows with every cell's text worked out (call it off the UI thread)."""
    texts = [tuple(c.value(row) for c in columns) for row in chunk.rows]
    return Block(chunk.rows, texts, chunk.next_key)


def _is_indexed(listing: Listing[Any]) -> bool:
    return all(hasattr(listing, name) for name in ("count", "anchors", "keys_after"))


def _walk(
    db: Db, listing: IndexedListing[Any], anchors: tuple[Key, ...], start: int, step: int
) -> Key | None:
    """The key just before row ``start``: the nearest anchor, then a short index walk."""
    stride = min(start // step, len(anchors))
    after = anchors[stride - 1] if stride else None
    skip = start - stride * step
    if skip == 0:
        return after
    keys = listing.keys_after(db, after, skip)
    return keys[-1] if keys else after
