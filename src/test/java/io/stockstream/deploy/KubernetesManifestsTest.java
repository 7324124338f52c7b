package io.stockstream.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
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
import io.fabric8.kubernetes.api.model.apps.RollingUpdateDeployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HPAScalingPolicy;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HPAScalingRules;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricSpec;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBackend;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
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
import java.util.stream.IntStream;
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

  /**
   * How long a member may take, on a slow node, to join the cluster and fill its history from a
   * peer (the cluster mode's own estimate: 15 to 20 s).
   */
  private static final int JOIN_S = 20;

  /** A container port of cluster mode, the setting that moves it, and the setting's default. */
  private record ClusterPort(String name, String env, int defaultPort) {}

  /** The defaults of the protocol's Cluster section. */
  private static final List<ClusterPort> CLUSTER_PORTS =
      List.of(
          new ClusterPort("cluster", "STOCKSTREAM_CLUSTER_PORT", 5701),
          new ClusterPort("eventbus", "STOCKSTREAM_EVENTBUS_PORT", 5710));

  /** What the downward API gives the pod in these tests as its IP. */
  private static final String POD_IP = "10.1.2.3";

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

  private static String namespace() {
    return (String) kustomization.get("namespace");
  }

  /** The container's environment as the process sees it (the optional Secret left out). */
  private static Map<String, String> environment() {
    return Manifests.environment(
        settings(),
        container().getEnv(),
        Map.of(
            "metadata.namespace",
            namespace(),
            "metadata.name",
            "stockstream-5d8f7c9b6-x2k4p",
            "status.podIP",
            POD_IP));
  }

  private static List<Service> services() {
    return base.stream().filter(Service.class::isInstance).map(Service.class::cast).toList();
  }

  private static Service headless(boolean headless) {
    List<Service> found =
        services().stream()
            .filter(x -> "None".equals(x.getSpec().getClusterIP()) == headless)
            .toList();
    assertThat(found).as(headless ? "one headless Service" : "one Service with an IP").hasSize(1);
    return found.get(0);
  }

  /** The Service of the public and management ports. */
  private static Service service() {
    return headless(false);
  }

  /** The headless Service through which the members find each other. */
  private static Service clusterService() {
    return headless(true);
  }

  private static HorizontalPodAutoscaler hpa() {
    return one(HorizontalPodAutoscaler.class);
  }

  /** Every replica count the HPA may set. */
  private static IntStream replicaCounts() {
    return IntStream.rangeClosed(
        hpa().getSpec().getMinReplicas(), hpa().getSpec().getMaxReplicas());
  }

  /** Whether more than half of {@code listed} members is {@code seen}. */
  private static boolean majority(int seen, int listed) {
    return 2 * seen > listed;
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

  /** Whether a NetworkPolicy rule lets traffic to {@code port} through (no ports: all of them). */
  private static boolean admits(NetworkPolicyIngressRule rule, int port) {
    if (rule.getPorts() == null || rule.getPorts().isEmpty()) {
      return true;
    }
    for (NetworkPolicyPort p : rule.getPorts()) {
      if (p.getPort() == null) {
        return true;
      }
      int from = resolve(p.getPort());
      int to = p.getEndPort() != null ? p.getEndPort() : from;
      if (from <= port && port <= to) {
        return true;
      }
    }
    return false;
  }

  /** A count or a percentage of {@code total}, rounded up, as Kubernetes scales both. */
  private static int scaledUp(IntOrString value, int total) {
    if (value.getIntVal() != null) {
      return value.getIntVal();
    }
    String percent = value.getStrVal();
    assertThat(percent).endsWith("%");
    int p = Integer.parseInt(percent.substring(0, percent.length() - 1));
    return (int) Math.ceil(p * total / 100.0);
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
  void threeMembersThatTheHpaScalesBetweenTwoAndTenOnCpu() {
    assertThat(deployment().getSpec().getReplicas()).isEqualTo(3);
    HorizontalPodAutoscaler hpa = hpa();
    assertThat(hpa.getSpec().getScaleTargetRef().getKind()).isEqualTo("Deployment");
    assertThat(hpa.getSpec().getScaleTargetRef().getName())
        .isEqualTo(deployment().getMetadata().getName());
    // Two at least: one alone loses its majority as soon as a second pod starts to join.
    assertThat(hpa.getSpec().getMinReplicas()).isEqualTo(2);
    assertThat(hpa.getSpec().getMaxReplicas()).isEqualTo(10);
    assertThat(replicaCounts()).contains(deployment().getSpec().getReplicas());
    // The fan-out is CPU-bound.
    MetricSpec metric = hpa.getSpec().getMetrics().get(0);
    assertThat(hpa.getSpec().getMetrics()).hasSize(1);
    assertThat(metric.getType()).isEqualTo("Resource");
    assertThat(metric.getResource().getName()).isEqualTo("cpu");
    assertThat(metric.getResource().getTarget().getType()).isEqualTo("Utilization");
  }

  @Test
  void rolloutsTakeNoMemberDownAndAddOneAtATime() {
    assertThat(deployment().getSpec().getStrategy().getType()).isEqualTo("RollingUpdate");
    RollingUpdateDeployment rolling = deployment().getSpec().getStrategy().getRollingUpdate();
    // The new pod has joined and is ready before an old one drains.
    assertThat(rolling.getMaxUnavailable()).isEqualTo(new IntOrString(0));
    // The headless Service lists the joining pod too: one at a time, the members that have
    // joined stay a majority of the listed ones, from the HPA's smallest count up.
    assertThat(rolling.getMaxSurge()).isEqualTo(new IntOrString(1));
    replicaCounts()
        .forEach(n -> assertThat(majority(n, n + 1)).as("%d members, 1 surging", n).isTrue());
  }

  /** An HPA's scaling policies, or Kubernetes' defaults when it gives none. */
  private static List<HPAScalingPolicy> policies(HPAScalingRules rules, boolean up) {
    if (rules != null && rules.getPolicies() != null && !rules.getPolicies().isEmpty()) {
      return rules.getPolicies();
    }
    // (periodSeconds, type, value)
    return up
        ? List.of(new HPAScalingPolicy(15, "Percent", 100), new HPAScalingPolicy(15, "Pods", 4))
        : List.of(new HPAScalingPolicy(15, "Percent", 100));
  }

  /**
   * The most pods one period of an HPA's rules may add or remove at {@code n} replicas, as the
   * controller computes it, with Kubernetes' defaults for what the rules leave out.
   */
  private static int largestStep(HPAScalingRules rules, boolean up, int n) {
    String select =
        rules != null && rules.getSelectPolicy() != null ? rules.getSelectPolicy() : "Max";
    if (select.equals("Disabled")) {
      return 0;
    }
    IntStream steps =
        policies(rules, up).stream()
            .mapToInt(
                p -> {
                  if (p.getType().equals("Pods")) {
                    return p.getValue();
                  }
                  assertThat(p.getType()).isEqualTo("Percent");
                  // Up, the controller rounds the new count up; down, it truncates it.
                  return up
                      ? (int) Math.ceil(n * (1 + p.getValue() / 100.0)) - n
                      : n - (int) (n * (1 - p.getValue() / 100.0));
                });
    return select.equals("Min") ? steps.min().orElseThrow() : steps.max().orElseThrow();
  }

  @Test
  void hpaStepsKeepAMajorityOfTheListedMembers() {
    var behavior = hpa().getSpec().getBehavior();
    HPAScalingRules upRules = behavior == null ? null : behavior.getScaleUp();
    HPAScalingRules downRules = behavior == null ? null : behavior.getScaleDown();
    int min = hpa().getSpec().getMinReplicas();
    int max = hpa().getSpec().getMaxReplicas();
    replicaCounts()
        .forEach(
            n -> {
              // Up: the new pods are listed before they have joined.
              int added = Math.min(largestStep(upRules, true, n), max - n);
              assertThat(majority(n, n + added)).as("%d members, %d added", n, added).isTrue();
              // Down: a leaving pod stays listed until it is gone.
              int removed = Math.min(largestStep(downRules, false, n), n - min);
              assertThat(majority(n - removed, n))
                  .as("%d members, %d removed", n, removed)
                  .isTrue();
            });
    // One step's pods have joined, or are gone, before the next step.
    for (HPAScalingPolicy p : policies(upRules, true)) {
      assertThat(p.getPeriodSeconds()).isGreaterThanOrEqualTo(JOIN_S);
    }
    for (HPAScalingPolicy p : policies(downRules, false)) {
      assertThat((long) p.getPeriodSeconds())
          .isGreaterThanOrEqualTo(pod().getTerminationGracePeriodSeconds());
    }
  }

  @Test
  void containerPortsAreTheServicesPorts() {
    assertThat(containerPort("http"))
        .isEqualTo(Integer.parseInt(Setting.HTTP_PORT.defaultText()))
        .isEqualTo((int) setting(Setting.HTTP_PORT));
    assertThat(containerPort("management"))
        .isEqualTo(Integer.parseInt(Setting.MANAGEMENT_PORT.defaultText()))
        .isEqualTo((int) setting(Setting.MANAGEMENT_PORT));
    for (ClusterPort p : CLUSTER_PORTS) {
      // A Setting of that name (once the cluster settings are Settings) has the same default.
      Arrays.stream(Setting.values())
          .filter(x -> x.env().equals(p.env()))
          .forEach(x -> assertThat(x.defaultText()).isEqualTo(String.valueOf(p.defaultPort())));
      int forThePod = Integer.parseInt(environment().getOrDefault(p.env(), "" + p.defaultPort()));
      assertThat(containerPort(p.name())).as(p.name()).isEqualTo(forThePod);
    }
    assertThat(container().getPorts()).hasSize(2 + CLUSTER_PORTS.size());
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
  void probesGiveAJoiningMemberTime() {
    Probe startup = container().getStartupProbe();
    Probe liveness = container().getLivenessProbe();
    // Liveness, which restarts the pod, waits for the startup probe; and the startup probe waits
    // out the JVM's start and a slow join with room to spare.
    long startupBudget =
        orZero(startup.getInitialDelaySeconds())
            + (long) startup.getPeriodSeconds() * startup.getFailureThreshold();
    assertThat(startupBudget).isGreaterThanOrEqualTo(3L * JOIN_S);
    // A member that joins again after a network split is not restarted for it either.
    assertThat((long) liveness.getPeriodSeconds() * liveness.getFailureThreshold())
        .isGreaterThan(JOIN_S);
    // Nor is a rollout declared failed while its new member starts and joins (600 s by default).
    Integer deadline = deployment().getSpec().getProgressDeadlineSeconds();
    assertThat(deadline == null ? 600 : deadline).isGreaterThan((int) startupBudget);
  }

  private static long orZero(Integer seconds) {
    return seconds == null ? 0 : seconds;
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
    // Only what the ConfigMap cannot hold: what differs from pod to pod or names the namespace.
    assertThat(container().getEnv().stream().map(EnvVar::getName))
        .containsExactlyInAnyOrder(
            "POD_IP", "POD_NAMESPACE", "STOCKSTREAM_CLUSTER_DNS", "STOCKSTREAM_CLUSTER_HOST");
  }

  @Test
  void clusterModeFindsTheMembersThroughTheHeadlessServiceAndAdvertisesThePodIp() {
    Map<String, String> env = environment();
    // The name resolves, from any namespace the base is put in, to the headless Service's A
    // records: the pods.
    assertThat(env)
        .containsEntry(
            "STOCKSTREAM_CLUSTER_DNS",
            clusterService().getMetadata().getName() + "." + namespace() + ".svc.cluster.local");
    // The address the others reach this member at is its own, from the downward API.
    assertThat(env).containsEntry("STOCKSTREAM_CLUSTER_HOST", POD_IP);
    EnvVar podIp =
        container().getEnv().stream()
            .filter(v -> v.getName().equals("POD_IP"))
            .findFirst()
            .orElseThrow();
    assertThat(podIp.getValueFrom().getFieldRef().getFieldPath()).isEqualTo("status.podIP");
    // One way to join.
    assertThat(env).doesNotContainKey("STOCKSTREAM_CLUSTER_MEMBERS");
  }

  @Test
  void environmentIsExpandedAsTheKubeletDoesIt() {
    // The control for the expansion above: a reference to a later variable stays as written.
    EnvVar early = new EnvVar("A", "x$(B)y$$(B)", null);
    EnvVar later = new EnvVar("B", "b", null);
    assertThat(Manifests.environment(Map.of(), List.of(early, later), Map.of()))
        .containsEntry("A", "x$(B)y$(B)");
    assertThat(Manifests.environment(Map.of(), List.of(later, early), Map.of()))
        .containsEntry("A", "xby$(B)");
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
    Service service = service();
    assertSelects(service.getSpec().getSelector(), podLabels());
    Map<String, Integer> ports =
        service.getSpec().getPorts().stream()
            .collect(Collectors.toMap(ServicePort::getName, p -> resolve(p.getTargetPort())));
    assertThat(ports)
        .containsExactlyInAnyOrderEntriesOf(
            Map.of("http", containerPort("http"), "management", containerPort("management")));
  }

  @Test
  void headlessServiceListsEveryMemberEvenBeforeItIsReady() {
    Service cluster = clusterService();
    assertThat(cluster.getSpec().getClusterIP()).isEqualTo("None");
    // A member is ready only once it has joined: it must be found before.
    assertThat(cluster.getSpec().getPublishNotReadyAddresses()).isTrue();
    assertSelects(cluster.getSpec().getSelector(), podLabels());
    assertThat(cluster.getSpec().getSelector())
        .containsAllEntriesOf(deployment().getSpec().getSelector().getMatchLabels());
    Map<String, ServicePort> ports =
        cluster.getSpec().getPorts().stream()
            .collect(Collectors.toMap(ServicePort::getName, p -> p));
    assertThat(ports.keySet())
        .containsExactlyInAnyOrderElementsOf(
            CLUSTER_PORTS.stream().map(ClusterPort::name).toList());
    for (ClusterPort p : CLUSTER_PORTS) {
      ServicePort port = ports.get(p.name());
      assertThat(resolve(port.getTargetPort())).isEqualTo(containerPort(p.name()));
      // The members reach each other's pod IPs directly: the Service's port is the pod's.
      assertThat(port.getPort()).isEqualTo(containerPort(p.name()));
    }
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
    Service service = service();
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
    Service service = service();
    Map<String, String> selector = monitor.getSpec().getSelector().getMatchLabels();
    assertSelects(selector, service.getMetadata().getLabels());
    // Not the headless Service too: every pod would be a target of a second job.
    assertThat(
            clusterService().getMetadata().getLabels().entrySet().containsAll(selector.entrySet()))
        .as("the ServiceMonitor selects the headless Service")
        .isFalse();
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
  void disruptionBudgetKeepsAMajorityOfTheMembers() {
    PodDisruptionBudget pdb = one(PodDisruptionBudget.class);
    assertSelects(pdb.getSpec().getSelector().getMatchLabels(), podLabels());
    replicaCounts()
        .forEach(
            n -> {
              // As the disruption controller counts the pods that must stay up.
              int healthy =
                  pdb.getSpec().getMinAvailable() != null
                      ? scaledUp(pdb.getSpec().getMinAvailable(), n)
                      : n - scaledUp(pdb.getSpec().getMaxUnavailable(), n);
              assertThat(majority(healthy, n)).as("%d of %d stay up", healthy, n).isTrue();
              // From 3 on a node drain can evict; at 2 nothing may go without losing the majority.
              if (n >= 3) {
                assertThat(healthy).as("%d of %d stay up", healthy, n).isLessThan(n);
              }
            });
  }

  @Test
  void networkPolicyOpensTheClusterPortsToTheMembersOnly() {
    NetworkPolicy policy = one(NetworkPolicy.class);
    Map<String, String> members = deployment().getSpec().getSelector().getMatchLabels();
    for (ClusterPort p : CLUSTER_PORTS) {
      int port = containerPort(p.name());
      List<NetworkPolicyIngressRule> admitting =
          policy.getSpec().getIngress().stream().filter(r -> admits(r, port)).toList();
      assertThat(admitting).as("rules that admit %s", p.name()).isNotEmpty();
      for (NetworkPolicyIngressRule rule : admitting) {
        assertThat(rule.getFrom()).as("sources of %s", p.name()).isNotEmpty();
        for (NetworkPolicyPeer peer : rule.getFrom()) {
          // A podSelector alone: pods of this namespace, and of those only the members.
          assertThat(peer.getIpBlock()).isNull();
          assertThat(peer.getNamespaceSelector()).isNull();
          assertThat(peer.getPodSelector().getMatchExpressions()).isNullOrEmpty();
          assertThat(peer.getPodSelector().getMatchLabels()).containsAllEntriesOf(members);
          assertSelects(peer.getPodSelector().getMatchLabels(), podLabels());
        }
      }
    }
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
