package io.stockstream;

import static com.tngtech.archunit.base.DescribedPredicate.describe;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.library.Architectures;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Holds the main code to the layering that docs/architecture.md draws; each rule is a function of
 * the root package so that {@link ArchitectureControlTest} can show it failing on planted fixtures.
 */
class ArchitectureTest {

  static final String ROOT = "io.stockstream";

  // What a Vert.x upgrade may change without notice: kept in one adapter that checks it at start.
  private static final String[] VERTX_INTERNALS = {
    "io.vertx.core.internal..",
    "io.vertx.core.http.impl..",
    "io.vertx.core.impl..",
    "io.vertx.core.net.impl.."
  };

  private static final String[] BELOW_FEATURES = {
    "protocol", "metrics", "lifecycle", "market", "config", "http"
  };

  private static final String[] ALL_LAYER_PACKAGES = {
    "protocol",
    "metrics",
    "lifecycle",
    "market",
    "config",
    "http",
    "stream",
    "rest",
    "ops",
    "web",
    "cluster",
    "loadgen"
  };

  private static JavaClasses main;

  @BeforeAll
  static void importMainCode() {
    // Tests are left out, so the archfixture packages, which break the rules on purpose, never
    // reach these checks.
    main =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages(ROOT);
  }

  /** The rules, in the order a reader meets them in docs/architecture.md. */
  static List<ArchRule> all(String root) {
    return List.of(
        noCycles(root),
        layers(root),
        everyClassInALayer(root),
        vertxInternalsOnlyThroughTheAdapter(root),
        verticlesExtendVerticleBase(root));
  }

  static ArchRule noCycles(String root) {
    return slices()
        .matching(root + ".(*)..")
        .should()
        .beFreeOfCycles()
        .as("the packages under " + root + " import each other in no cycle");
  }

  static ArchRule layers(String root) {
    return Architectures.layeredArchitecture()
        .consideringOnlyDependenciesInLayers()
        // A fixture plants only the packages its case needs; everyClassInALayer keeps the main
        // code from growing a package that no layer names.
        .withOptionalLayers(true)
        .layer("protocol")
        .definedBy(root + ".protocol..")
        .layer("metrics")
        .definedBy(root + ".metrics..")
        .layer("lifecycle")
        .definedBy(root + ".lifecycle..")
        .layer("market")
        .definedBy(root + ".market..")
        .layer("config")
        .definedBy(root + ".config..")
        .layer("http")
        .definedBy(root + ".http..")
        .layer("stream")
        .definedBy(root + ".stream..")
        .layer("rest")
        .definedBy(root + ".rest..")
        .layer("ops")
        .definedBy(root + ".ops..")
        .layer("web")
        .definedBy(root + ".web..")
        .layer("cluster")
        .definedBy(root + ".cluster..")
        .layer("loadgen")
        .definedBy(root + ".loadgen..")
        .layer("root")
        .definedBy(root)
        .whereLayer("protocol")
        .mayNotAccessAnyLayer()
        .whereLayer("metrics")
        .mayOnlyAccessLayers("protocol")
        .whereLayer("lifecycle")
        .mayNotAccessAnyLayer()
        .whereLayer("market")
        .mayOnlyAccessLayers("protocol", "metrics")
        .whereLayer("config")
        .mayOnlyAccessLayers("market", "protocol")
        .whereLayer("http")
        .mayOnlyAccessLayers("protocol")
        // The three features stand side by side: none of them may reach another.
        .whereLayer("stream")
        .mayOnlyAccessLayers(BELOW_FEATURES)
        .whereLayer("rest")
        .mayOnlyAccessLayers(BELOW_FEATURES)
        .whereLayer("ops")
        .mayOnlyAccessLayers(BELOW_FEATURES)
        .whereLayer("web")
        .mayOnlyAccessLayers(concat(BELOW_FEATURES, "stream", "rest", "ops"))
        // The cluster is a feature beside the others: it feeds the market, never a socket.
        .whereLayer("cluster")
        .mayOnlyAccessLayers(BELOW_FEATURES)
        // The load generator ships in the jar but is a client: it measures the service from
        // outside,
        // so it uses nothing of it, and nothing of the service may use it.
        .whereLayer("loadgen")
        .mayNotAccessAnyLayer()
        .whereLayer("loadgen")
        .mayNotBeAccessedByAnyLayer()
        .whereLayer("root")
        .mayNotBeAccessedByAnyLayer()
        .as("the layers under " + root + " point down only, as docs/architecture.md draws them");
  }

  static ArchRule everyClassInALayer(String root) {
    String[] packages = new String[ALL_LAYER_PACKAGES.length + 1];
    for (int i = 0; i < ALL_LAYER_PACKAGES.length; i++) {
      packages[i] = root + "." + ALL_LAYER_PACKAGES[i] + "..";
    }
    packages[ALL_LAYER_PACKAGES.length] = root;
    return classes()
        .that()
        .resideInAPackage(root + "..")
        .should()
        .resideInAnyPackage(packages)
        .as("every class under " + root + " lives in a package the layering names");
  }

  static ArchRule vertxInternalsOnlyThroughTheAdapter(String root) {
    String adapter = root + ".stream.VertxInternals";
    return noClasses()
        .that()
        .resideInAPackage(root + "..")
        .and(describe("are not " + adapter, (JavaClass c) -> !isOrNests(c, adapter)))
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(VERTX_INTERNALS)
        .as("only " + adapter + " touches Vert.x internals");
  }

  static ArchRule verticlesExtendVerticleBase(String root) {
    DescribedPredicate<JavaClass> verticle =
        describe(
            "are verticles",
            (JavaClass c) ->
                !c.isInterface()
                    && (c.isAssignableTo("io.vertx.core.Verticle")
                        || c.isAssignableTo("io.vertx.core.Deployable")));
    return classes()
        .that()
        .resideInAPackage(root + "..")
        .and(verticle)
        .should()
        .beAssignableTo("io.vertx.core.VerticleBase")
        .andShould()
        .notBeAssignableTo("io.vertx.core.AbstractVerticle")
        .as("every verticle under " + root + " extends VerticleBase, none AbstractVerticle");
  }

  private static boolean isOrNests(JavaClass c, String name) {
    return c.getName().equals(name) || c.getName().startsWith(name + "$");
  }

  private static String[] concat(String[] head, String... tail) {
    String[] all = new String[head.length + tail.length];
    System.arraycopy(head, 0, all, 0, head.length);
    System.arraycopy(tail, 0, all, head.length, tail.length);
    return all;
  }

  @Test
  void packagesImportEachOtherInNoCycle() {
    noCycles(ROOT).check(main);
  }

  @Test
  void layersPointDownOnly() {
    layers(ROOT).check(main);
  }

  @Test
  void everyMainClassLivesInANamedLayer() {
    everyClassInALayer(ROOT).check(main);
  }

  @Test
  void onlyVertxInternalsTouchesVertxInternals() {
    vertxInternalsOnlyThroughTheAdapter(ROOT).check(main);
  }

  @Test
  void everyVerticleExtendsVerticleBase() {
    verticlesExtendVerticleBase(ROOT).check(main);
  }
}
