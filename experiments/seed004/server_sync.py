# server_sync.py - copied from /work/shared/seeds/004_b8f9da7a47e3686a.txt ("Async 101
# and why it matters"), changed only so that it takes the port from argv[1]
# (the seed hard-codes 7080) and binds 127.0.0.1 instead of 0.0.0.0; the
# `import sys` is for argv. Everything else, the per-request print
# included, is the seed's. Run: /usr/bin/python3 server_sync.py PORT
import sys
import socket
import traceback 

sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)

server_address = ('127.0.0.1', int(sys.argv[1]))
print('Starting server on %s port %s' % server_address)
sock.bind(server_address)

sock.listen()

# synchronous function -- blocking
def handle_get(client, client_address):
    request_data = client.recv(1024)
    print(f'Request from {client_address}: {request_data.decode()}')

    request_line = request_data.split(b'\r\n')[0]
    tokens = request_line.split()
    if len(tokens) == 3 and tokens[0] == b'GET':
        response_header = b'HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n'
        response_body = b'<html><body><h1>Hello %s</h1></body></html>' % client_address[0].encode()
        client.send(response_header)
        client.send(response_body)
    else:
        response_header = b'HTTP/1.1 400 Bad Request\n\n'
        client.send(response_header)

    client.close()


while True:
    client, client_address = sock.accept()

    try:
        handle_get(client, client_address)
    except Exception as e:
        traceback.print_exc() 
        print('Error:', e)
        client.close()
