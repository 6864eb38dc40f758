"""Following the record a screen shows: ``f`` follows or unfollows it, and
others' changes to a followed record reach the notifications screen.

Mixed into a record's screen (a contact's card, a deal), which says what kind
of record it shows and which one, and redraws its title when ``following``
changes. Opening the screen also notes the record as viewed, which keeps it
in the user's sync subset.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual import work

from .base import DataChanged


class Following:
    FOLLOWED_KIND: ClassVar[str]  # the record kind review.follow takes: contact, opportunity
    following = False
    store: Any
    app: Any

    def followed_id(self) -> str | None:
        """The record in view, once read (None while it is being read)."""
        raise NotImplementedError

    def show_following(self) -> None:
        """Redraw what shows whether the record is followed."""
        raise NotImplementedError

    @work(thread=True, exclusive=True, group="follow-read", exit_on_error=False)
    def read_following(self, record_id: str) -> None:
        from ..sync import review  # with the ORM models: imported here, off the UI thread

        review.note_viewed(self.store, self.FOLLOWED_KIND, record_id)
        following = review.is_following(self.store, self.FOLLOWED_KIND, record_id)
        self.app.call_from_thread(self._show_follow, following)

    def _show_follow(self, following: bool) -> None:
        self.following = following
        self.show_following()

    def action_follow(self) -> None:
        record_id = self.followed_id()
        if record_id is not None:
            self._set_follow(record_id, not self.following)

    @work(thread=True, group="follow-set", exit_on_error=False)
    def _set_follow(self, record_id: str, follow: bool) -> None:
        from ..sync import review

        try:
            if follow:
                review.follow(self.store, self.FOLLOWED_KIND, record_id)
            else:
                review.unfollow(self.store, self.FOLLOWED_KIND, record_id)
        except ValueError as exc:  # a MutationError, e.g. no local user to follow as
            self.app.call_from_thread(self.notify, str(exc), severity="error")
            return
        said = "Following: you will be told of others' changes" if follow else "Unfollowed"
        self.app.call_from_thread(self._followed, said)

    def _followed(self, said: str) -> None:
        self.notify(said)
        self.post_message(DataChanged())

    # Provided by the screen this is mixed into.
    notify: Any
    post_message: Any
