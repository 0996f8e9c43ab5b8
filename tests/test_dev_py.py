"""dev.py start's port: --port N, PORT, or the next free one when 8000 is busy."""

import socket

import pytest

import dev


def busy_socket():
    """A real listening socket on a free port the OS picks."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    return sock


@pytest.mark.parametrize(
    "args, environ, expected",
    [
        ([], {}, None),
        (["--port", "8080"], {}, 8080),
        (["--port=8081"], {}, 8081),
        ([], {"PORT": "9000"}, 9000),
        (["--port", "8082"], {"PORT": "9000"}, 8082),
    ],
)
def test_it_reads_the_port_from_the_option_or_the_environment(args, environ, expected):
    assert dev.wanted_port(args, environ) == expected


@pytest.mark.parametrize(
    "args, environ",
    [(["--port", "http"], {}), (["--port"], {}), ([], {"PORT": "70000"}), (["--prot", "1"], {})],
)
def test_a_bad_port_or_option_stops_with_a_message(args, environ):
    with pytest.raises(SystemExit) as stop:
        dev.wanted_port(args, environ)
    assert isinstance(stop.value.code, str)


def test_a_busy_port_is_detected_and_a_free_one_is_not():
    sock = busy_socket()
    port = sock.getsockname()[1]
    try:
        assert dev.port_is_free(port) is False
    finally:
        sock.close()
    assert dev.port_is_free(port) is True


def test_an_asked_for_busy_port_stops_with_a_message():
    sock = busy_socket()
    try:
        with pytest.raises(SystemExit, match="is busy"):
            dev.choose_port(sock.getsockname()[1])
    finally:
        sock.close()


def test_without_a_wish_a_busy_8000_gives_the_next_free_port(capsys):
    taken = {8000, 8001}
    assert dev.choose_port(None, is_free=lambda port: port not in taken) == 8002
    assert "8000 is busy; using 8002" in capsys.readouterr().out
    assert dev.choose_port(None, is_free=lambda port: True) == 8000
