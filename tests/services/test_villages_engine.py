"""Village scoring of every province on the Dask engine (a two-process ``LocalCluster``):
the same shortlists as the local engine, which are those of each province alone."""

from __future__ import annotations

import pandas as pd
import pytest

from _villages_world import world_workspace
from khooshe.services.engine import Engine
from khooshe.services.villages import national_shortlist, village_shortlist
from khooshe.store.workspace import Workspace

TOL = dict(check_exact=False, rtol=1e-12, atol=1e-12)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    ws = Workspace.open(world_workspace(tmp_path_factory.mktemp("villages") / "ws"))
    yield ws
    ws.close()


def test_village_scores_over_several_provinces_are_the_same_on_dask(world, dask_engine):
    local = national_shortlist(world, per_county=4, engine=Engine())
    remote = national_shortlist(world, per_county=4, engine=dask_engine)
    assert remote.provinces == local.provinces == ["01", "02", "03"]
    assert set(local.villages["county_code"].str[:2]) == {"01", "02", "03"}
    pd.testing.assert_frame_equal(remote.villages, local.villages, **TOL)
    pd.testing.assert_frame_equal(remote.counties, local.counties, **TOL)
    assert [repr(n) for n in remote.notes] == [repr(n) for n in local.notes]


def test_each_province_is_scored_as_it_is_alone(world):
    every = national_shortlist(world, per_county=4)
    for province in every.provinces:
        alone = village_shortlist(world, province, per_county=4).villages
        mine = every.villages[every.villages["county_code"].str[:2] == province]
        pd.testing.assert_frame_equal(mine.reset_index(drop=True), alone.reset_index(drop=True))


def test_a_failing_province_is_the_same_error(world, dask_engine):
    with pytest.raises(ValueError) as here:
        national_shortlist(world, per_county=0)
    with pytest.raises(ValueError) as there:
        national_shortlist(world, per_county=0, engine=dask_engine)
    assert type(there.value) is type(here.value) and str(there.value) == str(here.value)


def test_the_national_map_draws_every_province_with_its_name(world, tmp_path):
    """A map of 31 provinces' villages without their provinces drawn tells a reader nothing
    of where they are: each province's outline lies beneath, its name above the villages."""
    from khooshe.services.villages import write_national

    every = national_shortlist(world, per_county=4)
    assert list(every.outlines["code"]) == every.provinces
    paths = write_national(every, tmp_path / "all.csv", lang="en")
    html = paths[-1].read_text(encoding="utf-8")
    for name in every.outlines["name_en"]:
        assert f'"{name}"' in html
    fig_traces = html.count('"mode":"lines"')
    assert fig_traces >= len(every.provinces)
