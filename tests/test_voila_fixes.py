"""The Voila server fixes, unit by unit (the end-to-end proofs are in tests/e2e)."""

import asyncio
import dataclasses
import json
import logging
import struct
from queue import Empty

import pytest
import zmq
import zmq.asyncio
from jupyter_client.channels import AsyncZMQSocketChannel
from jupyter_client.session import Session
from jupyter_server.services.kernels.kernelmanager import ServerKernelManager
from traitlets.config.loader import KVArgParseConfigLoader

from softmax_explorer.serving import voila_fixes


def v1_message(header: dict) -> bytes:
    parts = [b"shell", json.dumps(header).encode(), b"{}", b"{}", b"{}"]
    offsets, position = [], 8 * (len(parts) + 1)
    for part in parts:
        offsets.append(position)
        position += len(part)
    head = struct.pack("<Q", len(offsets)) + b"".join(struct.pack("<Q", o) for o in offsets)
    return head + b"".join(parts)


def test_reads_a_v1_header():
    assert voila_fixes.read_v1_header(v1_message({"msg_type": "execute_input"})) == {
        "msg_type": "execute_input"
    }


@pytest.mark.parametrize(
    "message",
    [
        b"",
        b"\x00" * 7,
        # a legacy-protocol binary message: a big-endian count whose bytes read as ~4e9 offsets
        struct.pack(">I", 2) + struct.pack(">II", 12, 40) + b'{"msg_type": "comm_msg"}' + b"x" * 64,
        struct.pack("<Q", 10**12) + b"x" * 32,
        struct.pack("<Q", 3) + struct.pack("<QQQ", 32, 10**9, 5) + b"x" * 8,
        struct.pack("<Q", 3) + struct.pack("<QQQ", 32, 32, 36) + b"\xff\xfe\x00\x01",
    ],
)
def test_anything_else_is_no_header_and_returns_at_once(message):
    assert voila_fixes.read_v1_header(message) is None


def test_get_msg_finds_a_message_sent_while_waiting():
    async def scenario():
        context = zmq.asyncio.Context()
        pull = context.socket(zmq.PULL)
        port = pull.bind_to_random_port("tcp://127.0.0.1")
        push = context.socket(zmq.PUSH)
        push.connect(f"tcp://127.0.0.1:{port}")
        session = Session()
        channel = voila_fixes.SlicedChannel(pull, session)
        with pytest.raises(Empty):
            await channel.get_msg(timeout=0.12)

        async def later():
            await asyncio.sleep(0.2)
            session.send(push, "kernel_info_reply", {"status": "ok"})

        sender = asyncio.ensure_future(later())
        msg = await asyncio.wait_for(channel.get_msg(timeout=None), 5)
        await sender
        push.close()
        pull.close()
        context.term()
        return msg

    assert asyncio.run(scenario())["msg_type"] == "kernel_info_reply"


@pytest.mark.parametrize("fix", [*voila_fixes.FIXES, voila_fixes.POOL], ids=lambda fix: fix.name)
def test_each_fix_applies_to_the_installed_versions(fix):
    """Fails when an upstream function a fix replaces (or whose state the app reads) changes:
    review the fix, then its sentinel."""
    assert fix.refusal() is None
    assert fix.holds


@pytest.fixture
def pristine(monkeypatch):
    """Voila's objects as they are, restored after the test."""
    from voila.tornado import kernel_websocket_handler

    handler = kernel_websocket_handler.VoilaKernelWebsocketHandler
    monkeypatch.setattr(handler, "open", handler.open)
    monkeypatch.setattr(
        kernel_websocket_handler,
        "read_header_from_binary_message",
        kernel_websocket_handler.read_header_from_binary_message,
    )
    return kernel_websocket_handler


def test_apply_installs_all_scoped_to_voila_and_is_idempotent(pristine):
    get_msg = AsyncZMQSocketChannel.get_msg
    argv = voila_fixes.apply()
    assert voila_fixes.apply() == argv
    assert pristine.read_header_from_binary_message is voila_fixes.read_v1_header
    open_ = pristine.VoilaKernelWebsocketHandler.open
    assert open_.__module__.startswith(("voila", "jupyter_server"))  # Voila's handler is its own
    assert AsyncZMQSocketChannel.get_msg is get_msg  # jupyter_client itself is untouched
    # the server's kernel managers, configured by those options, hand out sliced clients
    config = KVArgParseConfigLoader(argv).load_config()
    client = ServerKernelManager(config=config).client()
    assert isinstance(client.shell_channel, voila_fixes.SlicedChannel)
    assert isinstance(client.iopub_channel, voila_fixes.SlicedChannel)


def test_a_fix_outside_its_verified_versions_is_skipped_with_one_line(pristine, caplog):
    original = pristine.read_header_from_binary_message
    fixes = tuple(
        dataclasses.replace(fix, verified_on={"voila": "<0.5"}) for fix in voila_fixes.FIXES
    )
    reads = (dataclasses.replace(voila_fixes.POOL, verified_on={"voila": "<0.5"}),)
    with caplog.at_level(logging.WARNING, logger="softmax_explorer.serving.voila_fixes"):
        assert voila_fixes.apply(fixes, reads) == []
    assert pristine.read_header_from_binary_message is original
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == len(fixes) + len(reads)
    assert "Voila's 'pool-ready' not read: verified on voila<0.5" in lines[-1]
    assert "'sliced-poll' not applied: verified on voila<0.5, found 0.5" in lines[0]


def test_a_changed_upstream_function_is_not_patched(pristine, caplog):
    fix = dataclasses.replace(voila_fixes.FIXES[1], sentinel="0" * 16)
    with caplog.at_level(logging.WARNING, logger="softmax_explorer.serving.voila_fixes"):
        voila_fixes.apply((fix,))
    assert pristine.read_header_from_binary_message is not voila_fixes.read_v1_header
    assert "read_header_from_binary_message differs from the verified version" in caplog.text


def test_a_missing_package_is_named():
    fix = dataclasses.replace(voila_fixes.FIXES[0], verified_on={"no-such-package": ">=1"})
    assert fix.refusal() == "no-such-package is not installed"
