"""The Voila server fixes, unit by unit (the end-to-end proofs are in tests/e2e)."""

import asyncio
import json
import struct
from queue import Empty

import pytest
import zmq
import zmq.asyncio
from jupyter_client.channels import AsyncZMQSocketChannel
from jupyter_client.session import Session

from softmax_explorer import voila_fixes


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
        channel = AsyncZMQSocketChannel(pull, session)
        with pytest.raises(Empty):
            await voila_fixes._get_msg_in_slices(channel, timeout=0.12)

        async def later():
            await asyncio.sleep(0.2)
            session.send(push, "kernel_info_reply", {"status": "ok"})

        sender = asyncio.ensure_future(later())
        msg = await asyncio.wait_for(voila_fixes._get_msg_in_slices(channel, timeout=None), 5)
        await sender
        push.close()
        pull.close()
        context.term()
        return msg

    assert asyncio.run(scenario())["msg_type"] == "kernel_info_reply"


def test_apply_installs_all_and_is_idempotent(monkeypatch):
    from voila.tornado import kernel_websocket_handler

    handler = kernel_websocket_handler.VoilaKernelWebsocketHandler
    monkeypatch.setattr(handler, "open", handler.open)
    monkeypatch.setattr(AsyncZMQSocketChannel, "get_msg", AsyncZMQSocketChannel.get_msg)
    monkeypatch.setattr(
        kernel_websocket_handler,
        "read_header_from_binary_message",
        kernel_websocket_handler.read_header_from_binary_message,
    )
    assert not voila_fixes.is_applied()
    voila_fixes.apply()
    voila_fixes.apply()
    assert voila_fixes.is_applied()
