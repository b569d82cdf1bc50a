"""LocalEngine and its memory copy: ready at once, same answers before and after the copy."""

from __future__ import annotations

from kg.query.engines import LocalEngine, MemoryCopy

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?c a dsr:Clause }"


def test_memory_copy_in_background_serves_from_disk_first(seed_store_path):
    copy = MemoryCopy(seed_store_path, sync_bytes=0)  # force the background path
    first = copy.store  # usable at once: the disk store, or already the copy
    assert len(first) > 0
    assert copy.loaded.wait(30)
    assert len(copy.store) == len(first)
    assert copy.store is not copy._disk  # switched to the memory copy


def test_small_store_is_copied_before_serving(seed_store_path):
    copy = MemoryCopy(seed_store_path)
    assert copy.loaded.is_set() and copy.store is not copy._disk


def test_local_engine_answers_identically_on_disk_and_in_memory(seed_store_path):
    disk = LocalEngine(seed_store_path, in_memory=False)
    memory = LocalEngine(seed_store_path, in_memory=True)
    assert disk.select(COUNT)[0]["n"].value == memory.select(COUNT)[0]["n"].value == "21"
    assert disk.triple_count() == memory.triple_count()
