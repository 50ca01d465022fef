"""The local server (`usermgmt serve`): uvicorn serving the app, HTTP worker processes, the
pipeline process and the link between them, and the listening sockets."""
