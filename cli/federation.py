"""`metrohub federation up`: the hub, the example subgraph and a gateway
(Apollo Gateway or Hive Gateway) over both, run locally until stopped."""

from __future__ import annotations

import argparse

from cli.arguments import Commands, command_group

__all__ = ["register"]


def register(commands: Commands) -> None:
    federation_commands = command_group(
        commands, "federation", help="run a local federated stack", dest="federation_command"
    )
    up = federation_commands.add_parser(
        "up",
        help="start the hub, the example city-indicators subgraph and a gateway "
        "composed from both, until Ctrl-C",
    )
    up.add_argument(
        "--gateway",
        choices=["apollo", "hive"],
        default="apollo",
        help="Apollo Gateway (federation/gateway.mjs, at /) or Hive Gateway "
        "(federation/hive.config.mjs, at /graphql); default: apollo",
    )
    up.add_argument("--hub-port", type=int, default=8000)
    up.add_argument("--subgraph-port", type=int, default=8001)
    up.add_argument("--gateway-port", type=int, default=4000)
    up.set_defaults(run=_federation_up)


def _federation_up(args: argparse.Namespace) -> int:
    import os
    import signal
    import sys
    import time

    from federation.stack import running_stack
    from settings import PROJECT_ROOT, Settings

    # Stop the three processes on SIGTERM too, not only on Ctrl-C.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    log_dir = PROJECT_ROOT / "var" / "federation"
    log_dir.mkdir(parents=True, exist_ok=True)
    settings = Settings.from_env()
    with running_stack(
        settings.database_url,
        log_dir,
        gateway=args.gateway,
        # Sent to the hub only, with every request the gateway makes.
        gateway_key=os.environ.get("HUB_GATEWAY_KEY"),
        hub_port=args.hub_port,
        subgraph_port=args.subgraph_port,
        gateway_port=args.gateway_port,
    ) as stack:
        print(f"hub:              {stack.hub_url}")
        print(f"city-indicators:  {stack.subgraph_url}")
        print(f"{args.gateway + ' gateway:':<18}{stack.gateway_url}")
        print(f"logs in {log_dir}; press Ctrl-C to stop.", flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
    return 0
