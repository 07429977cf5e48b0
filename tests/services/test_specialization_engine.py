"""Cluster strength by province on the Dask engine (a two-process ``LocalCluster``): the same
table as the local engine's single call, although every row carries national figures (the
national totals go to every province, the ranks among all regions are redone on the joined
provinces)."""

from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import bindparam, text

from khooshe.domain.errors import InputError
from khooshe.domain.regions import RegionHierarchy
from khooshe.services.engine import Engine
from khooshe.services.specialization import strength, strength_table
from khooshe.store.workspace import Workspace

TOL = dict(check_exact=False, rtol=1e-12, atol=1e-12)


@pytest.fixture(scope="module")
def demo(demo_dir):
    ws = Workspace.open(demo_dir)
    yield ws
    ws.close()


def _province_of(ws: Workspace, codes: pd.Series) -> pd.Series:
    regions = pd.read_sql(text("select code, level, parent_code from regions"), ws.engine)
    return RegionHierarchy(regions).ancestor_of(codes, "province")


@pytest.mark.parametrize("options", [
    dict(level="village"),
    dict(level="village", top_share=0.25),
    dict(level="village", measure="establishments", lq_threshold=1.0, top_share=0.5),
    dict(level="county", top_share=0.25),
], ids=["village", "village-top-quarter", "village-establishments-top-half", "county"])
def test_strength_on_dask_is_the_local_table(demo, dask_engine, options):
    local = strength(demo, engine=Engine(), **options)
    remote = strength(demo, engine=dask_engine, **options)
    pd.testing.assert_frame_equal(remote, local, **TOL)
    # the regions of many provinces, ranked among more regions than any province has
    province = _province_of(demo, local["region"])
    assert province.nunique() > 20
    assert local["n_regions"].max() > local.groupby(province)["region"].nunique().max()


@pytest.mark.parametrize("province", ["01", "06", "24"])
def test_one_province_on_dask_is_its_rows_of_the_local_table(demo, dask_engine, province):
    local = strength(demo, level="village", province=province, top_share=0.25)
    remote = strength(demo, level="village", province=province, top_share=0.25,
                      engine=dask_engine)
    pd.testing.assert_frame_equal(remote, local, **TOL)
    assert (_province_of(demo, local["region"]) == province).all() and len(local) > 10
    # ranked among the country's villages, not the province's
    every = strength(demo, level="village", top_share=0.25)
    mine = every[every["region"].isin(local["region"])].reset_index(drop=True)
    pd.testing.assert_frame_equal(local, mine)


def test_strength_table_passes_the_engine_on(demo, dask_engine):
    local = strength_table(demo, level="village", province="24")
    remote = strength_table(demo, level="village", province="24", engine=dask_engine)
    pd.testing.assert_frame_equal(remote.table, local.table, **TOL)
    assert (remote.strong, remote.candidates) == (local.strong, local.candidates)


def test_a_province_of_zeros_is_no_part(demo_copy, dask_engine):
    """Village firms of unknown size (0 employees) give no cell locally: a province with
    nothing else is no empty part on Dask."""
    villages = pd.read_sql(text("select code from regions where level = 'village'"),
                           demo_copy.engine)["code"]
    of_06 = villages[(_province_of(demo_copy, villages) == "06").to_numpy()].tolist()
    with demo_copy.engine.begin() as conn:
        conn.execute(text("update establishments set employees = null "
                          "where region_code in :codes").bindparams(
            bindparam("codes", expanding=True)), {"codes": of_06})
    local = strength(demo_copy, level="village")
    assert not (_province_of(demo_copy, local["region"]) == "06").any()
    pd.testing.assert_frame_equal(strength(demo_copy, level="village", engine=dask_engine),
                                  local, **TOL)


@pytest.mark.parametrize("level", ["province", "country"])
def test_no_province_by_province_above_the_province(demo, level):
    with pytest.raises(InputError, match=f"at level {level} there is nothing to share out"):
        # refused before any work: the engine is never asked to map
        strength(demo, level=level, engine=Engine("dask", scheduler="tcp://127.0.0.1:1"))
