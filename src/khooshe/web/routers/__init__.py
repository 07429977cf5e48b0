"""The app's routers: ``auth`` (sign in and out), ``pages`` (the registry in the browser),
``plan`` (the province plan as a background job) and ``api`` (the REST API, ``/api/v1``)."""
