"""Image members of a Glance v2 region (:class:`~glance_sync.regions.
members.ImageMembers`), through glanceclient's ``image_members``."""

from __future__ import annotations

from typing import Any

from glanceclient import exc as glance_exc

from glance_sync.regions import members
from glance_sync.regions.drivers import glance_errors

__all__ = ['GlanceMembers']


class GlanceMembers(members.ImageMembers):
    """Mixed into the Glance region, whose client and name it uses."""

    name: str
    _client: Any

    def members(self, image_id: str) -> set[str]:
        """The image's member project ids (see the interface)."""
        with glance_errors.translated(self.name, 'listing members', image_id):
            return {str(member['member_id'])
                    for member in self._client.image_members.list(image_id)}

    def add_member(self, image_id: str, project_id: str) -> None:
        """Share the image with a project (see the interface)."""
        with glance_errors.translated(self.name, 'adding a member',
                                      image_id):
            try:
                self._client.image_members.create(image_id, project_id)
            except glance_exc.HTTPConflict:
                pass  # already a member: what we wanted

    def remove_member(self, image_id: str, project_id: str) -> None:
        """Stop sharing the image with a project (see the interface)."""
        with glance_errors.translated(self.name, 'removing a member',
                                      image_id):
            try:
                self._client.image_members.delete(image_id, project_id)
            except glance_exc.HTTPNotFound:
                pass  # not a member (any more)
