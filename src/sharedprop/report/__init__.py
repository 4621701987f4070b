"""What a planner takes away: the Excel workbook, the GeoJSON map layer and the HTML report.

Each module is one idea: ``projection`` (lon/lat to local metres), ``shapes`` (the area drawn
for each package), ``palette`` (colours that neighbours and colour-blind readers can tell apart),
``workbook`` (plan.xlsx), ``geojson`` (plan.geojson), ``sentences`` (plain-language findings),
``svgmap`` (the inline map) and ``html`` (report.html). Numbers are written by
:mod:`sharedprop.formatting`, which the layers below the report share; :mod:`sharedprop.outputs`
writes the files next to each other.
"""
