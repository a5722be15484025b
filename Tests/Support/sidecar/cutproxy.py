#!/usr/bin/env python3
"""A TCP relay that cuts the first connection mid-answer (standard library only).

Start:  python3 cutproxy.py --upstream 127.0.0.1:PORT --cut-after BYTES
Prints ``READY http://127.0.0.1:PORT`` once it accepts connections. Every connection is relayed byte for
byte to the upstream; on the first one, after BYTES of the upstream's answer have reached the client, both
sides are closed, as a dropped network path or a restarted load balancer would. Later connections pass
untouched. It proves that a streaming client re-attaches and shows each event exactly once.
"""
import argparse, socket, sys, threading


def pump(source, sink, limit, done):
    sent = 0
    try:
        while True:
            data = source.recv(4096)
            if not data:
                break
            if limit is not None and sent + len(data) >= limit:
                sink.sendall(data[: max(0, limit - sent)])
                break
            sink.sendall(data)
            sent += len(data)
    except OSError:
        pass
    finally:
        done.set()


def serve(client, upstream, cut):
    server = socket.create_connection(upstream)
    done = threading.Event()
    threading.Thread(target=pump, args=(client, server, None, done), daemon=True).start()
    threading.Thread(target=pump, args=(server, client, cut, done), daemon=True).start()
    done.wait()
    for s in (client, server):
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        s.close()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--upstream", required=True)
    parser.add_argument("--cut-after", type=int, required=True)
    args = parser.parse_args()
    host, port = args.upstream.rsplit(":", 1)
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    print(f"READY http://127.0.0.1:{listener.getsockname()[1]}", flush=True)
    first = True
    while True:
        client, _ = listener.accept()
        threading.Thread(target=serve, args=(client, (host, int(port)), args.cut_after if first else None), daemon=True).start()
        first = False


if __name__ == "__main__":
    sys.exit(main())
