"""What a planner takes away: the Excel workbook, the GeoJSON map layer and the HTML report.

Each module is one idea: ``formatting`` (numbers as a person reads them), ``projection`` (lon/lat
to local metres), ``shapes`` (the area drawn for each package), ``palette`` (colours that
neighbours and colour-blind readers can tell apart), ``workbook`` (plan.xlsx), ``geojson``
(plan.geojson), ``sentences`` (plain-language findings), ``svgmap`` (the inline map) and ``html``
(report.html). :mod:`sharedprop.outputs` writes them all next to each other.
"""
