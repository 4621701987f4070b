"""The planner's workbench: a local web app to load, edit, optimise and compare plans.

``sharedprop app`` serves it (:func:`sharedprop.app.server.serve`). The layers are thin: the
server calls the public API (``load_instance``, ``solve``, ``evaluate``, ``explain``,
``compare``, ``outputs``) and holds no optimisation or scoring logic of its own. Needs the
optional extra ``sharedprop[app]`` (FastAPI, uvicorn, Jinja2 and Leaflet's files).
"""
