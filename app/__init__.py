"""The hub's web application, in parts that `server.create_app` puts together."""
