package io.trailkeep.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy in front of the S3 server that injects the faults S3 clients meet for real: every
 * {@code every}-th new connection answers its first request with 503 SlowDown, the next one is
 * reset (RST) after the request arrives; the others are forwarded byte for byte. Healthy
 * connections are closed after {@code lifetimeMillis} so the client keeps opening new ones.
 * Loopback only; bounded by the test's lifetime.
 */
public final class FaultProxy implements AutoCloseable {
  private final ServerSocket server;
  private final int targetPort;
  private final int every;
  private final long lifetimeMillis;
  private final AtomicInteger connections = new AtomicInteger();
  public final AtomicInteger throttled = new AtomicInteger();
  public final AtomicInteger resets = new AtomicInteger();
  private volatile boolean open = true;

  public FaultProxy(int targetPort, int every, long lifetimeMillis) throws IOException {
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    this.targetPort = targetPort;
    this.every = every;
    this.lifetimeMillis = lifetimeMillis;
    Thread t = new Thread(this::acceptLoop, "fault-proxy");
    t.setDaemon(true);
    t.start();
  }

  public String endpoint() {
    return "http://127.0.0.1:" + server.getLocalPort();
  }

  private void acceptLoop() {
    while (open) {
      try {
        Socket client = server.accept();
        int n = connections.incrementAndGet();
        Thread t = new Thread(() -> handle(client, n), "fault-proxy-conn");
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        return;
      }
    }
  }

  private void handle(Socket client, int n) {
    try {
      if (n % every == 1) {
        readHeaders(client.getInputStream());
        String body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>SlowDown</Code>"
            + "<Message>Please reduce your request rate.</Message></Error>";
        String resp = "HTTP/1.1 503 Slow Down\r\nContent-Type: application/xml\r\nContent-Length: "
            + body.length() + "\r\nConnection: close\r\n\r\n" + body;
        client.getOutputStream().write(resp.getBytes(StandardCharsets.UTF_8));
        client.getOutputStream().flush();
        throttled.incrementAndGet();
        client.close();
        return;
      }
      if (n % every == 2) {
        readHeaders(client.getInputStream());
        client.setSoLinger(true, 0);
        resets.incrementAndGet();
        client.close();
        return;
      }
      Socket upstream = new Socket("127.0.0.1", targetPort);
      pump(client.getInputStream(), upstream.getOutputStream(), client, upstream);
      pump(upstream.getInputStream(), client.getOutputStream(), client, upstream);
      Thread.sleep(lifetimeMillis);
      client.close();
      upstream.close();
    } catch (IOException | InterruptedException e) {
      try {
        client.close();
      } catch (IOException ignored) {
        // closing anyway
      }
    }
  }

  private static void readHeaders(InputStream in) throws IOException {
    int state = 0;
    while (state < 4) {
      int b = in.read();
      if (b < 0) {
        return;
      }
      state = (b == '\r' && (state == 0 || state == 2)) || (b == '\n' && (state == 1 || state == 3))
          ? state + 1 : 0;
    }
  }

  private static void pump(InputStream in, OutputStream out, Socket a, Socket b) {
    Thread t = new Thread(() -> {
      byte[] buf = new byte[1 << 16];
      try {
        int n;
        while ((n = in.read(buf)) >= 0) {
          out.write(buf, 0, n);
          out.flush();
        }
      } catch (IOException e) {
        // connection ended
      } finally {
        try {
          a.close();
          b.close();
        } catch (IOException ignored) {
          // closing anyway
        }
      }
    }, "fault-proxy-pump");
    t.setDaemon(true);
    t.start();
  }

  @Override
  public void close() throws IOException {
    open = false;
    server.close();
  }
}
