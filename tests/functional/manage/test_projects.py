"""Several master projects (``[target:master] master_projects``) and who
owns the copies (``copy_owner``), end to end through the CLI.

Keystone A has two projects with images: ``images`` (the sync account's,
where :meth:`master_image` uploads) and ``uploads``, whose ``uploader``
(member role only) uploads with Glance's default visibility, ``shared``.
With both listed, both images are synchronised; in RegionTwo (Keystone
A, ``copy_owner = master``) each copy keeps its master image's owner, in
RegionFour (Keystone B, its own projects) the target's project owns it.
"""

from __future__ import annotations

from typing import Any

from tests.functional.base import BytesReader
from tests.functional.manage import base
from tools.localcloud import layout


class MasterProjectsTest(base.ManageTestCase):

    def upload_as_uploader(self, label: str) -> Any:
        """An image of the ``uploads`` project, as its member uploads it
        (shared: Glance's default), tagged for this test."""
        glance = self.glance(self.cloud.master_region,
                             self.user_session(layout.UPLOADER_USER))
        image = glance.images.create(
            name=self.name(label), disk_format='raw',
            container_format='bare', gstest=self.token)
        self.addCleanup(self.delete_image, self.cloud.master_region,
                        image.id)
        glance.images.upload(image.id, BytesReader(b'u' * 1536))
        return glance.images.get(image.id)

    def copies(self, region: str, image: Any, owner: str) -> list[Any]:
        """``image``'s active copies in ``region`` owned by ``owner``."""
        found = [i for i in self.glance(region).images.list(
            filters={'name': image.name, 'owner': owner})
            if i.status == 'active']
        for copy in found:
            self.addCleanup(self.delete_image, region, copy.id)
        return found

    def projects_config(self, projects: str, **master: str) -> list[str]:
        return self.native_config({'target:master': {
            'master_projects': projects, **master}})

    def test_both_projects_images_keep_their_owner(self):
        mine = self.master_image('admin', 1024)
        theirs = self.upload_as_uploader('uploaded')
        self.assertEqual('shared', theirs.visibility)
        uploads = self.cloud.users[layout.UPLOADER_USER].project_id
        self.assertEqual(uploads, theirs.owner)
        conf = self.projects_config(
            '%s, %s' % (layout.SYNC_PROJECT, layout.UPLOADS_PROJECT),
            copy_owner='master')
        self.assertEqual({('RegionTwo', mine.name): 'pending_upload',
                          ('RegionTwo', theirs.name): 'pending_upload'},
                         self.statuses(conf, 'RegionTwo', rc=1))

        self.manage(conf, 'sync', 'RegionTwo', 'other:RegionFour', rc=0)
        [copy] = self.copies('RegionTwo', theirs, uploads)
        self.assertEqual((theirs.checksum, 'shared'),
                         (copy.checksum, copy.visibility))
        self.assertEqual(1, len(self.copies('RegionTwo', mine, mine.owner)))
        # Found again under their owners: nothing left to do.
        self.assertEqual({('RegionTwo', mine.name): 'ok',
                          ('RegionTwo', theirs.name): 'ok'},
                         self.statuses(conf, 'RegionTwo', rc=0))
        # Another Keystone: the target's own project owns both copies.
        other = self.cloud.targets['other'].credentials.project_id
        for image in (mine, theirs):
            self.assertEqual(1, len(self.copies('other:RegionFour', image,
                                                other)), image.name)

    def test_without_master_projects_only_the_accounts_project(self):
        mine = self.master_image('admin', 1024)
        theirs = self.upload_as_uploader('uploaded')
        self.assertEqual({('RegionTwo', mine.name): 'pending_upload'},
                         self.statuses(self.native_config(), 'RegionTwo',
                                       rc=1))
        # Listed alone, the uploads project is the only one.
        conf = self.projects_config(
            self.cloud.users[layout.UPLOADER_USER].project_id)
        self.assertEqual({('RegionTwo', theirs.name): 'pending_upload'},
                         self.statuses(conf, 'RegionTwo', rc=1))

    def test_unknown_project_is_a_configuration_error(self):
        conf = self.projects_config('%s, nosuchproject'
                                    % layout.SYNC_PROJECT)
        result = self.manage(conf, 'status', 'RegionTwo', rc=2)
        self.assertIn("[target:master] master_projects: unknown project "
                      "'nosuchproject'", result.stderr)
