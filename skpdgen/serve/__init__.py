"""`skpdgen serve`: build, serve the output on loopback, watch the sources, rebuild, reload.

One job per module:

    paths.py    a request target -> a file under the output folder, or a refusal
    guard.py    which Host and Origin headers are the server's own (DNS-rebinding guard)
    state.py    what the browser tabs need to know: build generation, changes, errors
    plan.py     changed source files -> what to rebuild
    rebuild.py  run the build for a plan and publish the outcome to the state
    watch.py    watchdog events -> debounced batches of changed paths
    inject.py   the reload script tag and the error banner put into HTML responses
    client.py   the browser side: reload script and banner stylesheet
    http.py     the HTTP server (stdlib http.server, Server-Sent Events for reload)
    app.py      run(): wire it all together, stop cleanly
    command.py  the `serve` subcommand: arguments, terminal output, exit status
"""
