package io.stockstream.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.stockstream.support.ClusterProcesses;
import io.stockstream.support.Exposition;
import io.stockstream.support.ServiceProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Kubernetes' way in, on loopback: with {@code STOCKSTREAM_CLUSTER_DNS} a node finds its members
 * through the addresses of a DNS name (here {@code localhost}, which names this one node), counts
 * them as the expected members and, a majority of one, leads its feed.
 */
class DnsDiscoveryIT {

  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void aNodeFoundThroughADnsNameFormsAClusterAndLeadsIt() throws Exception {
    List<Integer> ports = ClusterProcesses.freePorts(2);
    try (ServiceProcess node =
        ServiceProcess.start(
            Map.of(
                "STOCKSTREAM_HOST", "127.0.0.1",
                "STOCKSTREAM_HTTP_PORT", "0",
                "STOCKSTREAM_MANAGEMENT_PORT", "0",
                "STOCKSTREAM_SEED", "42",
                "STOCKSTREAM_CLUSTER_DNS", "localhost",
                "STOCKSTREAM_CLUSTER_HOST", "127.0.0.1",
                "STOCKSTREAM_CLUSTER_PORT", ports.get(0).toString(),
                "STOCKSTREAM_EVENTBUS_PORT", ports.get(1).toString()))) {
      int mgmt = node.managementPort();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      HttpResponse<String> ready = get(mgmt, "/health/ready");
      while (ready.statusCode() != 200 && System.nanoTime() < deadline) {
        ready = get(mgmt, "/health/ready");
      }
      assertThat(ready.statusCode()).as("/health/ready: %s", ready.body()).isEqualTo(200);
      String metrics = get(mgmt, "/metrics").body();
      assertThat(Exposition.value(metrics, "stockstream_cluster_members")).isEqualTo(1);
      assertThat(Exposition.value(metrics, "stockstream_cluster_members_expected")).isEqualTo(1);
      assertThat(Exposition.value(metrics, "stockstream_feed_leader")).isEqualTo(1);
      assertThat(node.output()).contains("Kubernetes Discovery activated with mode: DNS_LOOKUP");
    }
  }

  private HttpResponse<String> get(int port, String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(5))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
