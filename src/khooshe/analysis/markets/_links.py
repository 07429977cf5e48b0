"""Products ↔ activities ↔ clusters, and country names added to a table."""

from __future__ import annotations

import pandas as pd

from khooshe.domain.trade import check_concordance


def attach_activities(table: pd.DataFrame, concordance: pd.DataFrame,
                      product: str = "product") -> pd.DataFrame:
    """``table`` with an ``isic`` column: the ';'-joined ISIC classes of each product (empty
    when the concordance does not cover it)."""
    c = check_concordance(concordance)
    joined = c.groupby("hs6", sort=True)["isic"].agg(";".join)
    out = table.copy()
    out["isic"] = out[product].map(joined).fillna("")
    return out


def cluster_links(
    table: pd.DataFrame,
    concordance: pd.DataFrame,
    clusters: pd.DataFrame,
    *,
    value: str = "unrealised_value",
    product: str = "product",
    by_region: bool = False,
    top: int | None = None,
) -> pd.DataFrame:
    """Which cluster can target which product in which market, with the value at stake.

    Parameters
    ----------
    table : DataFrame
        :func:`export_potential` (or :func:`diversification_candidates`) output: ``market``,
        ``product`` and ``value``.
    concordance : DataFrame
        HS6 → ISIC (see :func:`check_concordance`); a product's value is multiplied by the
        ``weight`` of each of its activities (1 by default, i.e. the full value is attributed
        to every activity that makes it).
    clusters : DataFrame
        ``code, name_fa, name_en, province_code, isic`` (';'-separated ISIC classes),
        ``regions`` (';'-separated county/village codes, optional) and ``products``
        (';'-separated HS6 codes, optional). A cluster that names its products is linked to
        those (with their full value) and to nothing else: a date-palm cluster is not offered
        canned tomato because both are ISIC 1030. A cluster without products is linked
        through the concordance to every product of its activities.
    value : str
        Column to carry and rank by (``unrealised_value``, ``potential_value``, ``score``).
    by_region : bool
        One row per region of each cluster (column ``region``) instead of the ';'-list.
    top : int, optional
        Keep the best N links per cluster.

    Returns
    -------
    DataFrame
        ``cluster_code, cluster_name_fa, cluster_name_en, province_code, regions`` (or
        ``region``), ``isic, product, market, <value>`` plus ``potential_value``,
        ``actual_value``, ``unrealised_pct`` when present, ``via`` (``products`` or
        ``isic``: how the link was made), ranked per cluster (``rank``).
    """
    for col in ("market", product, value):
        if col not in table.columns:
            raise ValueError(f"table lacks column {col!r}")
    missing = [c for c in ("code", "isic") if c not in clusters.columns]
    if missing:
        raise ValueError(f"clusters lack column(s) {', '.join(missing)}")
    conc = check_concordance(concordance)
    cl = pd.DataFrame({
        "cluster_code": clusters["code"].astype(str),
        "cluster_name_fa": clusters.get("name_fa", pd.Series("", index=clusters.index)),
        "cluster_name_en": clusters.get("name_en", pd.Series("", index=clusters.index)),
        "province_code": clusters.get("province_code", pd.Series("", index=clusters.index)),
        "regions": clusters.get("regions", pd.Series("", index=clusters.index)).fillna(""),
        "isic": clusters["isic"].fillna("").astype(str).str.split(";"),
    }).explode("isic")
    cl["isic"] = cl["isic"].str.strip()
    cl = cl[cl["isic"] != ""]
    extra = [c for c in ("potential_value", "actual_value", "unrealised_pct")
             if c in table.columns and c != value]
    t = table[["market", product, value, *extra]].rename(columns={product: "product"})
    own = _own_products(clusters)
    by_isic = cl[~cl["cluster_code"].isin(set(own["cluster_code"]))]
    links = by_isic.merge(conc, on="isic").rename(columns={"hs6": "product"})
    links["via"] = "isic"
    if len(own):
        # a product the cluster names is linked once, with its full value, under the
        # activity the concordance gives it (the cluster's first activity when it has none)
        mine = cl[cl["cluster_code"].isin(set(own["cluster_code"]))]
        first = mine.drop_duplicates("cluster_code").set_index("cluster_code")["isic"]
        made = own.merge(mine.drop(columns="isic").drop_duplicates("cluster_code"),
                         on="cluster_code")
        isic_of = conc.drop_duplicates("hs6").set_index("hs6")["isic"]
        made["isic"] = made["product"].map(isic_of).fillna(made["cluster_code"].map(first))
        made["weight"] = 1.0
        made["via"] = "products"
        links = pd.concat([links, made[links.columns]], ignore_index=True)
    links = links.merge(t, on="product")
    for col in (value, *[c for c in extra if c != "unrealised_pct"]):
        links[col] = links[col] * links["weight"]
    links = links.drop(columns="weight")
    if by_region:
        links["region"] = links["regions"].str.split(";")
        links = links.explode("region").drop(columns="regions")
        links["region"] = links["region"].fillna("").str.strip()
    keys = ["cluster_code", "region"] if by_region else ["cluster_code"]
    links = links.sort_values([*keys, value, "product", "market"],
                              ascending=[*([True] * len(keys)), False, True, True],
                              kind="mergesort").reset_index(drop=True)
    links["rank"] = links.groupby(keys, sort=False).cumcount() + 1
    if top is not None:
        links = links[links["rank"] <= top].reset_index(drop=True)
    return links


def _own_products(clusters: pd.DataFrame) -> pd.DataFrame:
    """(cluster_code, product) for the clusters that name their products."""
    if "products" not in clusters.columns:
        return pd.DataFrame({"cluster_code": [], "product": []}, dtype=str)
    listed = pd.DataFrame({
        "cluster_code": clusters["code"].astype(str),
        "product": clusters["products"].fillna("").astype(str).str.split(";"),
    }).explode("product")
    listed["product"] = listed["product"].str.strip()
    return listed[listed["product"].fillna("") != ""].drop_duplicates().reset_index(drop=True)


def add_country_names(table: pd.DataFrame, countries: pd.DataFrame,
                      column: str = "market") -> pd.DataFrame:
    """Insert ``{column}_name_fa`` and ``{column}_name_en`` after ``column``."""
    names = countries.drop_duplicates("iso3").set_index("iso3")
    out = table.copy()
    pos = out.columns.get_loc(column) + 1
    for lang in ("en", "fa"):
        src = f"name_{lang}"
        if src in names.columns:
            out.insert(pos, f"{column}_name_{lang}", out[column].map(names[src]).fillna(""))
            pos += 1
    return out
