package io.portgate.access;

import io.portgate.Portgate;
import io.portgate.config.CidrConfig;
import io.portgate.config.Endpoint;
import io.portgate.config.FastPath;
import io.portgate.config.IdleStrategyName;
import io.portgate.config.ListenerConfig;
import io.portgate.config.PoolConfig;
import io.portgate.config.PortgateConfig;
import io.portgate.testing.FreePorts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code admin-allow}: off loopback, reading the admin endpoint needs the token unless the caller lies in an allowed
 * block, and the list is reloaded; changes still need the token. The admin endpoint is bound to this machine's own
 * external address so that requests really come from off loopback (the traffic never leaves the host).
 */
@Timeout(60)
class AdminAllowTest
{
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @Test
    void readsOffLoopbackNeedTheTokenOrAnAllowedBlock() throws Exception
    {
        final InetAddress external = nonLoopbackAddress();
        assumeTrue(external != null, "this machine has no non-loopback IPv4 address to call from");
        final PortgateConfig config = PortgateConfig.builder().workers(1).splice(FastPath.OFF)
            .idleStrategy(IdleStrategyName.BACKOFF)
            .admin(io.portgate.config.Addresses.parseEndpoint(external.getHostAddress() + ":" + FreePorts.tcp(), true)).adminToken("s3cret")
            .listener(ListenerConfig.builder("web").bind("127.0.0.1:" + FreePorts.tcp()).pool("web").build())
            .pool(PoolConfig.builder("web").target(InetAddress.getLoopbackAddress(), FreePorts.tcp()).build())
            .build();
        try (Portgate portgate = Portgate.start(config))
        {
            final HttpResponse<String> anonymous = send(portgate, "GET", "/api/pools", null);
            assertEquals(403, anonymous.statusCode(), anonymous.body());
            assertTrue(anonymous.body().contains("admin-allow"), anonymous.body());
            assertEquals(403, send(portgate, "GET", "/metrics", null).statusCode());
            assertEquals(200, send(portgate, "GET", "/metrics", "Bearer s3cret").statusCode());

            portgate.reload(config.toBuilder().adminAllow(CidrConfig.of("admin-allow",
                external.getHostAddress() + "/32")).build());
            final HttpResponse<String> allowed = send(portgate, "GET", "/api/pools", null);
            assertEquals(200, allowed.statusCode(), allowed.body());
            assertTrue(allowed.body().contains("\"web\""), allowed.body());
            assertEquals(200, send(portgate, "GET", "/api/listeners", null).statusCode());
            // Reading is all admin-allow gives: changes still need the token.
            assertEquals(403, send(portgate, "POST", "/api/reload", null).statusCode());

            // A block the caller is not in: reads need the token again.
            final String elsewhere = external.getHostAddress().startsWith("203.0.113.") ? "198.51.100.0/24" :
                "203.0.113.0/24";
            portgate.reload(config.toBuilder().adminAllow(CidrConfig.of("admin-allow", elsewhere)).build());
            assertEquals(403, send(portgate, "GET", "/api/pools", null).statusCode());
        }
    }

    private HttpResponse<String> send(final Portgate portgate, final String method, final String path,
        final String authorization) throws Exception
    {
        final InetSocketAddress address = portgate.adminAddress();
        final HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://" +
            Endpoint.format(address.getAddress(), address.getPort()) + path))
            .method(method, HttpRequest.BodyPublishers.noBody());
        if (authorization != null)
        {
            request.header("Authorization", authorization);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static InetAddress nonLoopbackAddress() throws SocketException
    {
        for (final NetworkInterface nic : NetworkInterface.networkInterfaces().toList())
        {
            if (nic.isUp() && !nic.isLoopback())
            {
                for (final InetAddress address : nic.inetAddresses().toList())
                {
                    if (address instanceof Inet4Address && !address.isLoopbackAddress() &&
                        !address.isLinkLocalAddress())
                    {
                        return address;
                    }
                }
            }
        }
        return null;
    }
}
