package io.stockstream;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.ArchRule;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The control for {@link ArchitectureTest}: its very rule functions, pointed at the planted
 * packages under io.stockstream.archfixture, fail on each broken fixture and pass on the clean one,
 * so a green ArchitectureTest means the main code keeps the layering, not that the rules are blind.
 */
class ArchitectureControlTest {

  private static final String FIXTURES = "io.stockstream.archfixture.";

  @Test
  void cleanFixturePassesEveryRule() {
    String root = FIXTURES + "clean";
    JavaClasses fixture = load(root);
    for (ArchRule rule : ArchitectureTest.all(root)) {
      assertThatCode(() -> rule.check(fixture))
          .as(rule.getDescription())
          .doesNotThrowAnyException();
    }
  }

  @Test
  void protocolAndStreamImportingEachOtherFailTheCycleRule() {
    assertFails("cycle", ArchitectureTest::noCycles, "Cycle detected");
  }

  @Test
  void protocolImportingStreamFailsTheLayerRule() {
    assertFails("cycle", ArchitectureTest::layers, "cycle.protocol.A");
  }

  @Test
  void upwardArrowWithoutCycleFailsTheLayerRuleAlone() {
    String root = FIXTURES + "upward";
    assertThatCode(() -> ArchitectureTest.noCycles(root).check(load(root)))
        .doesNotThrowAnyException();
    assertFails("upward", ArchitectureTest::layers, "upward.metrics.Meter");
  }

  @Test
  void featureReachingIntoAnotherFeatureFailsTheLayerRule() {
    assertFails("sideways", ArchitectureTest::layers, "sideways.rest.Quotes");
  }

  @Test
  void classInAPackageNoLayerNamesFailsTheLayerMembershipRule() {
    assertFails("stray", ArchitectureTest::everyClassInALayer, "stray.util.Helper");
  }

  @Test
  void vertxInternalsOutsideTheAdapterFailTheInternalsRule() {
    assertFails(
        "internals", ArchitectureTest::vertxInternalsOnlyThroughTheAdapter, "internals.web.Leak");
  }

  @Test
  void abstractVerticleFailsTheVerticleRule() {
    assertFails("oldverticle", ArchitectureTest::verticlesExtendVerticleBase, "AbstractVerticle");
  }

  private static void assertFails(
      String fixture, Function<String, ArchRule> rule, String namedInTheFailure) {
    String root = FIXTURES + fixture;
    JavaClasses classes = load(root);
    assertThatThrownBy(() -> rule.apply(root).check(classes))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining(namedInTheFailure);
  }

  // Fixtures are test classes, so unlike ArchitectureTest this import keeps them.
  private static JavaClasses load(String root) {
    return new ClassFileImporter().importPackages(root);
  }
}
