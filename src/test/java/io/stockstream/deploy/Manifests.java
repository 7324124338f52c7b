package io.stockstream.deploy;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
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

  /**
   * A container's environment as the kubelet gives it to the process: {@code fromEnvFrom} (what its
   * {@code envFrom} sources define), then its {@code env} in order. A {@code fieldRef} takes its
   * value from {@code fields} (field path to value, as the downward API would fill it in), and each
   * {@code $(NAME)} in a value becomes the value of a variable defined before it; {@code $$} is a
   * literal {@code $}, and a reference to a variable not defined before it is left as written,
   * which is how a misordered list goes wrong.
   */
  static Map<String, String> environment(
      Map<String, String> fromEnvFrom, List<EnvVar> env, Map<String, String> fields) {
    Map<String, String> out = new LinkedHashMap<>(fromEnvFrom);
    for (EnvVar v : env) {
      String value;
      if (v.getValueFrom() == null) {
        value = expand(v.getValue() == null ? "" : v.getValue(), out);
      } else if (v.getValueFrom().getFieldRef() != null) {
        String path = v.getValueFrom().getFieldRef().getFieldPath();
        value = fields.get(path);
        if (value == null) {
          throw new AssertionError(v.getName() + ": no value given for field " + path);
        }
      } else {
        throw new AssertionError(v.getName() + ": only values and fieldRefs are resolved here");
      }
      out.put(v.getName(), value);
    }
    return out;
  }

  /** Kubernetes' {@code $(NAME)} expansion of one value, against the variables defined so far. */
  static String expand(String in, Map<String, String> defined) {
    StringBuilder out = new StringBuilder();
    int i = 0;
    while (i < in.length()) {
      char c = in.charAt(i);
      if (c == '$' && i + 1 < in.length() && in.charAt(i + 1) == '$') {
        out.append('$');
        i += 2;
      } else if (c == '$' && i + 1 < in.length() && in.charAt(i + 1) == '(') {
        int close = in.indexOf(')', i + 2);
        if (close < 0) {
          out.append(in, i, in.length());
          break;
        }
        String name = in.substring(i + 2, close);
        String value = defined.get(name);
        out.append(value != null ? value : in.substring(i, close + 1));
        i = close + 1;
      } else {
        out.append(c);
        i++;
      }
    }
    return out.toString();
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
