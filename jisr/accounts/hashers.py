"""The password hasher: Argon2id with OWASP's parameters for a web server (decision 0028).

Django's own Argon2 parameters (100 MiB, two passes, eight lanes) cost about 0.3 s of processor
time a sign-in on a two-core server, and 100 MiB each while they run: under load, sign-ins queued
behind one another for seconds. OWASP's Password Storage Cheat Sheet, which ASVS level 2 relies on,
gives Argon2id with 19 MiB, two passes and one lane as its first configuration, of the same
strength as its 46 MiB, one-pass one: about 18 ms here. One lane, because a web worker
serves one request a core and more lanes only contend for the same cores.

The algorithm's name stays "argon2", so existing hashes verify as before; Django hashes a
password again with these parameters at its owner's next sign-in (`must_update`).
"""

from __future__ import annotations

from django.contrib.auth.hashers import Argon2PasswordHasher


class Argon2idHasher(Argon2PasswordHasher):
    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1
