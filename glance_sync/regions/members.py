"""Optional region capabilities for image members and project names.

A driver declares :class:`ImageMembers` when it can list and change the
members of an image (Glance's ``/v2/images/{id}/members``);
:class:`ProjectDirectory` is a target's Keystone seen as a list of
projects, to translate member projects between Keystones by name.
The sync layer (:mod:`glance_sync.sync.members`) checks for them with
``isinstance`` and does without members when a region lacks them.
"""

from __future__ import annotations

import abc

__all__ = ['ImageMembers', 'ProjectDirectory']


class ImageMembers(metaclass=abc.ABCMeta):
    """A region whose images can be shared with other projects.

    Thread-safe like :class:`~glance_sync.regions.base.Region`.
    """

    @abc.abstractmethod
    def members(self, image_id: str) -> set[str]:
        """The project ids an image is shared with (any member status).

        :raises ImageNotFound: no such image.
        :raises RegionUnavailable: the service did not answer.
        """

    @abc.abstractmethod
    def add_member(self, image_id: str, project_id: str) -> None:
        """Share an image with a project (status ``pending`` until that
        project accepts it). Adding a present member is a no-op.

        :raises Refused: the image is not ``shared`` or the policy denies.
        :raises RegionUnavailable: the service did not answer.
        """

    @abc.abstractmethod
    def remove_member(self, image_id: str, project_id: str) -> None:
        """Stop sharing an image with a project; a no-op when it is not a
        member.

        :raises RegionUnavailable: the service did not answer.
        """


class ProjectDirectory(metaclass=abc.ABCMeta):
    """The projects of one Keystone, by id and by name."""

    @abc.abstractmethod
    def name_of(self, project_id: str) -> str | None:
        """A project's name; ``None`` when there is no such project (or
        the credentials may not see it)."""

    @abc.abstractmethod
    def id_of(self, name: str) -> str | None:
        """The id of the only project with that name; ``None`` when there
        is none, or several (in different domains: never guessed)."""
