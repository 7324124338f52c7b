package io.stockstream.deploy;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Kubernetes manifests parsed strictly into fabric8's typed model: every document must be a known
 * kind (never the generic fallback), and no field may be unknown to the model. fabric8 keeps
 * unknown fields (a typo, a field at the wrong level, a wrong apiVersion's field) in {@code
 * additionalProperties} instead of failing, so every object of the graph is walked and each of
 * those maps must be empty.
 */
final class Manifests {

  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  private Manifests() {}

  /** Every document of a (possibly multi-document) YAML text, each parsed strictly. */
  static List<HasMetadata> parse(String yaml, String source) {
    List<HasMetadata> out = new ArrayList<>();
    int n = 0;
    for (String doc : yaml.split("(?m)^---\\s*$")) {
      n++;
      if (doc.lines().allMatch(l -> l.isBlank() || l.strip().startsWith("#"))) {
        continue;
      }
      String where = source + " (document " + n + ")";
      Object parsed = SERIALIZATION.unmarshal(doc);
      if (!(parsed instanceof HasMetadata resource)
          || parsed instanceof GenericKubernetesResource) {
        throw new AssertionError(
            where + ": not a known Kubernetes kind: " + parsed.getClass().getName());
      }
      List<String> unknown = new ArrayList<>();
      unknownFields(resource, resource.getKind(), unknown);
      if (!unknown.isEmpty()) {
        throw new AssertionError(where + ": fields the model does not know: " + unknown);
      }
      out.add(resource);
    }
    return out;
  }

  /** Collects the path of every non-empty {@code additionalProperties} below {@code o}. */
  private static void unknownFields(Object o, String path, List<String> unknown) {
    if (o == null) {
      return;
    }
    if (o instanceof Collection<?> c) {
      int i = 0;
      for (Object e : c) {
        unknownFields(e, path + "[" + i++ + "]", unknown);
      }
      return;
    }
    if (o instanceof Map<?, ?> m) {
      for (Map.Entry<?, ?> e : m.entrySet()) {
        unknownFields(e.getValue(), path + "[" + e.getKey() + "]", unknown);
      }
      return;
    }
    if (!o.getClass().getName().startsWith("io.fabric8.")) {
      return;
    }
    for (Class<?> c = o.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
      for (Field f : c.getDeclaredFields()) {
        if (Modifier.isStatic(f.getModifiers())) {
          continue;
        }
        Object value = read(f, o);
        if (f.getName().equals("additionalProperties")) {
          if (value instanceof Map<?, ?> extra && !extra.isEmpty()) {
            unknown.add(path + ": " + extra.keySet());
          }
        } else {
          unknownFields(value, path + "." + f.getName(), unknown);
        }
      }
    }
  }

  private static Object read(Field f, Object o) {
    try {
      f.setAccessible(true);
      return f.get(o);
    } catch (ReflectiveOperationException | RuntimeException e) {
      throw new IllegalStateException("cannot read " + f, e);
    }
  }
}
