package io.stockstream.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraint;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBackend;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.openshift.api.model.monitoring.v1.Endpoint;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;
import io.stockstream.config.ConfigLoader;
import io.stockstream.config.Setting;
import io.stockstream.support.Command;
import io.stockstream.support.Dockerfile;
import io.stockstream.support.ExternalTool;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * k8s/ is a kustomize base whose every manifest parses strictly into a typed Kubernetes object, and
 * whose objects agree with each other and with the service: ports, probe paths, settings,
 * selectors, drain time, security.
 */
class KubernetesManifestsTest {

  private static final Path K8S = Path.of("k8s");

  /** How long the node waits for the close handshakes of a drain (docs/choices.md, Draining). */
  private static final int DRAIN_WAIT_S = 3;

  /** Environment variables read outside {@link Setting}: logback.xml's log level. */
  private static final Set<String> NOT_SETTINGS = Set.of("STOCKSTREAM_LOG_LEVEL");

  private static Map<String, Object> kustomization;
  private static List<HasMetadata> base;
  private static List<HasMetadata> templates;

  @BeforeAll
  @SuppressWarnings("unchecked")
  static void parseEveryManifest() throws Exception {
    kustomization =
        new ObjectMapper(new YAMLFactory())
            .readValue(K8S.resolve("kustomization.yaml").toFile(), Map.class);
    base = new ArrayList<>();
    for (String file : resources()) {
      base.addAll(Manifests.parse(Files.readString(K8S.resolve(file)), file));
    }
    templates = new ArrayList<>();
    try (Stream<Path> files = Files.list(K8S.resolve("templates"))) {
      for (Path f : files.sorted().toList()) {
        templates.addAll(Manifests.parse(Files.readString(f), f.toString()));
      }
    }
  }

  @SuppressWarnings("unchecked")
  private static List<String> resources() {
    return (List<String>) kustomization.get("resources");
  }

  private static <T extends HasMetadata> T one(List<HasMetadata> from, Class<T> kind) {
    List<T> found = from.stream().filter(kind::isInstance).map(kind::cast).toList();
    assertThat(found).as("one %s", kind.getSimpleName()).hasSize(1);
    return found.get(0);
  }

  private static <T extends HasMetadata> T one(Class<T> kind) {
    return one(base, kind);
  }

  private static Deployment deployment() {
    return one(Deployment.class);
  }

  private static PodSpec pod() {
    return deployment().getSpec().getTemplate().getSpec();
  }

  private static Container container() {
    assertThat(pod().getContainers()).hasSize(1);
    return pod().getContainers().get(0);
  }

  private static Map<String, String> podLabels() {
    return deployment().getSpec().getTemplate().getMetadata().getLabels();
  }

  private static Map<String, String> settings() {
    return one(ConfigMap.class).getData();
  }

  /** A setting as the pod gets it: from the ConfigMap, else the service's default. */
  private static long setting(Setting s) {
    return Long.parseLong(settings().getOrDefault(s.env(), s.defaultText()));
  }

  private static void assertSelects(Map<String, String> selector, Map<String, String> labels) {
    assertThat(selector).isNotEmpty();
    assertThat(labels).containsAllEntriesOf(selector);
  }

  private static int containerPort(String name) {
    return container().getPorts().stream()
        .filter(p -> name.equals(p.getName()))
        .mapToInt(ContainerPort::getContainerPort)
        .findFirst()
        .orElseThrow(() -> new AssertionError("no container port named " + name));
  }

  /** A port given by number or by the name of a container port. */
  private static int resolve(IntOrString port) {
    return port.getIntVal() != null ? port.getIntVal() : containerPort(port.getStrVal());
  }

  // ---- the base as a whole ----------------------------------------------------------------------

  @Test
  void kustomizationListsEveryManifestOfTheBaseAndOnlyThose() throws Exception {
    assertThat(kustomization)
        .containsEntry("apiVersion", "kustomize.config.k8s.io/v1beta1")
        .containsEntry("kind", "Kustomization");
    assertThat(kustomization.keySet())
        .containsExactlyInAnyOrder("apiVersion", "kind", "namespace", "resources");
    try (Stream<Path> files = Files.list(K8S)) {
      Set<String> yamls =
          files
              .map(p -> p.getFileName().toString())
              .filter(n -> n.endsWith(".yaml") && !n.equals("kustomization.yaml"))
              .collect(Collectors.toSet());
      assertThat(resources()).containsExactlyInAnyOrderElementsOf(yamls);
    }
    assertThat(base.stream().map(HasMetadata::getKind))
        .containsExactlyInAnyOrder(
            "Namespace",
            "ConfigMap",
            "Deployment",
            "Service",
            "Ingress",
            "HorizontalPodAutoscaler",
            "PodDisruptionBudget",
            "ServiceMonitor",
            "NetworkPolicy");
    String namespace = (String) kustomization.get("namespace");
    assertThat(one(Namespace.class).getMetadata().getName()).isEqualTo(namespace);
    for (HasMetadata t : templates) {
      assertThat(t.getMetadata().getNamespace()).as(t.getKind()).isEqualTo(namespace);
    }
  }

  @Test
  void anUnknownFieldIsCaught() {
    // The control for the strict parse: a probe's path one level too high is not silently lost.
    String typo =
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n"
            + "    - name: c\n      image: i\n      readinessProbe:\n        path: /health/ready\n";
    assertThatThrownBy(() -> Manifests.parse(typo, "typo"))
        .hasMessageContaining("readinessProbe: [path]");
    String unknownKind = "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n";
    assertThatThrownBy(() -> Manifests.parse(unknownKind, "kind"))
        .hasMessageContaining("not a known Kubernetes kind");
  }

  @Test
  void kustomizeRendersTheBaseIntoTheSameTypedObjects() throws Exception {
    ExternalTool.optional("kubectl", "the render of k8s/ is not checked");
    Command render = Command.run(Command.KUSTOMIZE, Duration.ofMinutes(2));
    assertThat(render.exitCode()).as("%s", render).isZero();
    List<HasMetadata> rendered = Manifests.parse(render.stdout(), Command.KUSTOMIZE);
    assertThat(rendered.stream().map(r -> r.getKind() + "/" + r.getMetadata().getName()))
        .containsExactlyInAnyOrderElementsOf(
            base.stream().map(r -> r.getKind() + "/" + r.getMetadata().getName()).toList());
    for (HasMetadata r : rendered) {
      if (!(r instanceof Namespace)) {
        assertThat(r.getMetadata().getNamespace())
            .as("namespace of %s", r.getKind())
            .isEqualTo(kustomization.get("namespace"));
      }
    }
  }

  // ---- the Deployment ---------------------------------------------------------------------------

  @Test
  void oneReplicaUntilClusteringAndTheHpaAgrees() {
    assertThat(deployment().getSpec().getReplicas()).isEqualTo(1);
    HorizontalPodAutoscaler hpa = one(HorizontalPodAutoscaler.class);
    assertThat(hpa.getSpec().getScaleTargetRef().getKind()).isEqualTo("Deployment");
    assertThat(hpa.getSpec().getScaleTargetRef().getName())
        .isEqualTo(deployment().getMetadata().getName());
    assertThat(hpa.getSpec().getMinReplicas()).isEqualTo(1);
    assertThat(hpa.getSpec().getMaxReplicas()).isEqualTo(1);
    // The new pod is up before the old one drains.
    assertThat(deployment().getSpec().getStrategy().getRollingUpdate().getMaxUnavailable())
        .isEqualTo(new IntOrString(0));
  }

  @Test
  void containerPortsAreTheServicesPorts() {
    assertThat(containerPort("http"))
        .isEqualTo(Integer.parseInt(Setting.HTTP_PORT.defaultText()))
        .isEqualTo((int) setting(Setting.HTTP_PORT));
    assertThat(containerPort("management"))
        .isEqualTo(Integer.parseInt(Setting.MANAGEMENT_PORT.defaultText()))
        .isEqualTo((int) setting(Setting.MANAGEMENT_PORT));
    assertThat(container().getPorts()).hasSize(2);
  }

  @Test
  void probesAskTheManagementPortsHealthPaths() {
    int management = containerPort("management");
    Map<String, Probe> probes =
        Map.of(
            "/health/live", container().getLivenessProbe(),
            "/health/ready", container().getReadinessProbe());
    probes.forEach(
        (path, probe) -> {
          HTTPGetAction get = probe.getHttpGet();
          assertThat(get.getPath()).isEqualTo(path);
          assertThat(resolve(get.getPort())).isEqualTo(management);
        });
    HTTPGetAction startup = container().getStartupProbe().getHttpGet();
    assertThat(startup.getPath()).isEqualTo("/health/live");
    assertThat(resolve(startup.getPort())).isEqualTo(management);
  }

  @Test
  void terminationGraceOutlastsThePreStopPauseAndTheDrain() {
    List<String> preStop = container().getLifecycle().getPreStop().getExec().getCommand();
    assertThat(preStop).hasSize(2).startsWith("sleep");
    long pause = Long.parseLong(preStop.get(1));
    assertThat(pause).isPositive();
    long drainSpreadS = (setting(Setting.DRAIN_SPREAD_MS) + 999) / 1000;
    // Even if the node waited out the whole reconnect spread, Kubernetes would not kill it.
    assertThat(pod().getTerminationGracePeriodSeconds())
        .isGreaterThan(pause + DRAIN_WAIT_S + drainSpreadS);
  }

  @Test
  void podRunsLockedDownAsTheImagesUser() {
    var podSecurity = pod().getSecurityContext();
    assertThat(podSecurity.getRunAsNonRoot()).isTrue();
    assertThat(podSecurity.getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    String imageUser = Dockerfile.read().runtime().last("USER").orElseThrow().arguments();
    assertThat(podSecurity.getRunAsUser() + ":" + podSecurity.getRunAsGroup()).isEqualTo(imageUser);
    var security = container().getSecurityContext();
    assertThat(security.getAllowPrivilegeEscalation()).isFalse();
    assertThat(security.getReadOnlyRootFilesystem()).isTrue();
    assertThat(security.getRunAsNonRoot()).isTrue();
    assertThat(security.getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(security.getCapabilities().getAdd()).isNullOrEmpty();
    assertThat(pod().getAutomountServiceAccountToken()).isFalse();
  }

  @Test
  void tmpIsAWritableEmptyDirOnTheReadOnlyRoot() {
    VolumeMount tmp =
        container().getVolumeMounts().stream()
            .filter(m -> m.getMountPath().equals("/tmp"))
            .findFirst()
            .orElseThrow();
    assertThat(tmp.getReadOnly()).isNotEqualTo(Boolean.TRUE);
    Volume volume =
        pod().getVolumes().stream()
            .filter(v -> v.getName().equals(tmp.getName()))
            .findFirst()
            .orElseThrow();
    assertThat(volume.getEmptyDir()).isNotNull();
  }

  @Test
  void resourcesHaveRequestsAndLimits() {
    var resources = container().getResources();
    assertThat(resources.getRequests()).containsKeys("cpu", "memory");
    assertThat(resources.getLimits()).containsKeys("cpu", "memory");
    assertThat(resources.getLimits().get("memory").getNumericalAmount())
        .isGreaterThanOrEqualTo(resources.getRequests().get("memory").getNumericalAmount());
  }

  @Test
  void podsSpreadOverZonesAndNodes() {
    List<TopologySpreadConstraint> spread = pod().getTopologySpreadConstraints();
    assertThat(spread.stream().map(TopologySpreadConstraint::getTopologyKey))
        .contains("topology.kubernetes.io/zone", "kubernetes.io/hostname");
    for (TopologySpreadConstraint c : spread) {
      assertSelects(c.getLabelSelector().getMatchLabels(), podLabels());
    }
    assertSelects(deployment().getSpec().getSelector().getMatchLabels(), podLabels());
  }

  @Test
  void settingsComeFromTheConfigMapAndTheOptionalJwtSecret() {
    List<EnvFromSource> envFrom = container().getEnvFrom();
    assertThat(envFrom).hasSize(2);
    assertThat(envFrom.get(0).getConfigMapRef().getName())
        .isEqualTo(one(ConfigMap.class).getMetadata().getName());
    Secret auth =
        templates.stream()
            .filter(Secret.class::isInstance)
            .map(Secret.class::cast)
            .filter(x -> x.getStringData().containsKey(Setting.AUTH_JWT_SECRET.env()))
            .findFirst()
            .orElseThrow();
    assertThat(envFrom.get(1).getSecretRef().getName()).isEqualTo(auth.getMetadata().getName());
    assertThat(envFrom.get(1).getSecretRef().getOptional()).isTrue();
    // Kubernetes would otherwise add STOCKSTREAM_SERVICE_HOST and the like for the Service.
    assertThat(pod().getEnableServiceLinks()).isFalse();
    assertThat(container().getEnv()).isNullOrEmpty();
  }

  // ---- the ConfigMap and the Secrets ------------------------------------------------------------

  @Test
  void everyConfigMapKeyIsARealSettingAndTheServiceAcceptsThemAll() throws Exception {
    Set<String> settings =
        Arrays.stream(Setting.values()).map(Setting::env).collect(Collectors.toSet());
    for (String key : settings().keySet()) {
      assertThat(settings.contains(key) || NOT_SETTINGS.contains(key))
          .as("%s is not a setting of the service", key)
          .isTrue();
    }
    assertThat(Files.readString(Path.of("src/main/resources/logback.xml")))
        .contains("${STOCKSTREAM_LOG_LEVEL");
    // The values parse as the service parses them at start (else it would exit 2).
    ConfigLoader.load(settings());
  }

  @Test
  void secretTemplatesAreTheJwtSecretAndATlsSecret() {
    List<Secret> secrets =
        templates.stream().filter(Secret.class::isInstance).map(Secret.class::cast).toList();
    assertThat(secrets).hasSize(2);
    Secret auth =
        secrets.stream().filter(s -> "Opaque".equals(s.getType())).findFirst().orElseThrow();
    assertThat(auth.getStringData()).containsOnlyKeys(Setting.AUTH_JWT_SECRET.env());
    Secret tls =
        secrets.stream()
            .filter(s -> "kubernetes.io/tls".equals(s.getType()))
            .findFirst()
            .orElseThrow();
    assertThat(tls.getStringData()).containsOnlyKeys("tls.crt", "tls.key");
    assertThat(one(Ingress.class).getSpec().getTls().get(0).getSecretName())
        .isEqualTo(tls.getMetadata().getName());
  }

  // ---- Service, Ingress, ServiceMonitor ---------------------------------------------------------

  @Test
  void serviceSelectsThePodsAndTargetsTheirNamedPorts() {
    Service service = one(Service.class);
    assertSelects(service.getSpec().getSelector(), podLabels());
    Map<String, Integer> ports =
        service.getSpec().getPorts().stream()
            .collect(Collectors.toMap(ServicePort::getName, p -> resolve(p.getTargetPort())));
    assertThat(ports)
        .containsExactlyInAnyOrderEntriesOf(
            Map.of("http", containerPort("http"), "management", containerPort("management")));
  }

  @Test
  void ingressServesWssWithTlsFromCertManagerAndOnlyThePublicPort() {
    Ingress ingress = one(Ingress.class);
    Map<String, String> annotations = ingress.getMetadata().getAnnotations();
    assertThat(annotations.keySet()).anyMatch(k -> k.startsWith("cert-manager.io/"));
    assertThat(ingress.getSpec().getTls())
        .singleElement()
        .satisfies(
            t -> {
              assertThat(t.getHosts()).isNotEmpty();
              assertThat(t.getHosts())
                  .containsExactlyElementsOf(
                      ingress.getSpec().getRules().stream().map(r -> r.getHost()).toList());
            });
    Service service = one(Service.class);
    List<IngressBackend> backends =
        ingress.getSpec().getRules().stream()
            .flatMap(r -> r.getHttp().getPaths().stream())
            .map(p -> p.getBackend())
            .toList();
    assertThat(backends).isNotEmpty();
    for (IngressBackend b : backends) {
      assertThat(b.getService().getName()).isEqualTo(service.getMetadata().getName());
      assertThat(b.getService().getPort().getName()).isEqualTo("http");
    }
    // Above the heartbeat and the idle timeout: the server, not the proxy, ends silent sockets.
    long heartbeatS =
        Math.max(setting(Setting.PING_INTERVAL_MS), setting(Setting.IDLE_TIMEOUT_MS)) / 1000;
    for (String timeout :
        List.of(
            "nginx.ingress.kubernetes.io/proxy-read-timeout",
            "nginx.ingress.kubernetes.io/proxy-send-timeout")) {
      assertThat(Long.parseLong(annotations.get(timeout))).as(timeout).isGreaterThan(heartbeatS);
    }
  }

  @Test
  void serviceMonitorScrapesTheManagementPortAsJobStockstream() throws Exception {
    ServiceMonitor monitor = one(ServiceMonitor.class);
    Service service = one(Service.class);
    assertSelects(
        monitor.getSpec().getSelector().getMatchLabels(), service.getMetadata().getLabels());
    Endpoint endpoint = monitor.getSpec().getEndpoints().get(0);
    assertThat(monitor.getSpec().getEndpoints()).hasSize(1);
    assertThat(endpoint.getPort()).isEqualTo("management");
    assertThat(endpoint.getPath()).isEqualTo("/metrics");
    // Without jobLabel the operator names the job after the Service: the job the alerts select,
    // and the job of the scrape config used without the operator.
    assertThat(monitor.getSpec().getJobLabel()).isNull();
    String job = service.getMetadata().getName();
    assertThat(Files.readString(Path.of("prometheus/rules/stockstream.yml")))
        .contains("up{job=\"" + job + "\"}");
    assertThat(Files.readString(Path.of("prometheus/prometheus.yml"))).contains("job_name: " + job);
  }

  // ---- HPA, PDB, NetworkPolicy ------------------------------------------------------------------

  @Test
  void disruptionBudgetCoversThePodsWithoutBlockingNodeDrains() {
    PodDisruptionBudget pdb = one(PodDisruptionBudget.class);
    assertSelects(pdb.getSpec().getSelector().getMatchLabels(), podLabels());
    // With one replica, minAvailable 1 (or maxUnavailable 0) would make every eviction wait.
    assertThat(pdb.getSpec().getMinAvailable()).isNull();
    assertThat(pdb.getSpec().getMaxUnavailable()).isEqualTo(new IntOrString(1));
  }

  @Test
  void networkPolicyKeepsTheManagementPortInsideTheCluster() {
    NetworkPolicy policy = one(NetworkPolicy.class);
    assertSelects(policy.getSpec().getPodSelector().getMatchLabels(), podLabels());
    assertThat(policy.getSpec().getPolicyTypes()).contains("Ingress");
    int http = containerPort("http");
    int management = containerPort("management");
    boolean publicOpen = false;
    boolean managementReachable = false;
    for (NetworkPolicyIngressRule rule : policy.getSpec().getIngress()) {
      assertThat(rule.getPorts()).as("a rule without ports opens every port").isNotEmpty();
      Set<Integer> ports =
          rule.getPorts().stream().map(p -> resolve(p.getPort())).collect(Collectors.toSet());
      if (ports.contains(http) && (rule.getFrom() == null || rule.getFrom().isEmpty())) {
        publicOpen = true;
      }
      if (ports.contains(management)) {
        managementReachable = true;
        assertThat(rule.getFrom()).as("sources of the management port").isNotEmpty();
        for (NetworkPolicyPeer peer : rule.getFrom()) {
          assertThat(peer.getIpBlock()).as("no address range outside the cluster").isNull();
          assertThat(peer.getNamespaceSelector() != null || peer.getPodSelector() != null).isTrue();
        }
      }
    }
    assertThat(publicOpen).as("the public port is open").isTrue();
    assertThat(managementReachable).as("Prometheus can reach the management port").isTrue();
  }
}
