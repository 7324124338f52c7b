# syntax=docker/dockerfile:1
#
# stockstream's image: built with Maven on a Temurin JDK 17, run on a Temurin JRE 17.
#   docker build -t stockstream .
#   docker run --rm -p 8080:8080 -p 9000:9000 stockstream
# The ENTRYPOINT below is also the command of the project's process tests: ServiceProcess reads
# it from this file and runs it with the jar at target/stockstream.jar.

# ---- build -------------------------------------------------------------------------------------
FROM maven:3.9.9-eclipse-temurin-17 AS build
WORKDIR /src
# The dependencies first, in a step that only a change of the POM runs again. Maven's repository
# is a BuildKit cache shared by both steps and by later builds.
COPY pom.xml ./
RUN --mount=type=cache,target=/root/.m2 \
    mvn -B -q -Dspotless.check.skip=true dependency:go-offline
COPY src ./src
# Tests run in CI (`mvn -B verify`), not in the image build; the formatting check too.
RUN --mount=type=cache,target=/root/.m2 \
    mvn -B -q -DskipTests -Dspotless.check.skip=true package

# ---- run ---------------------------------------------------------------------------------------
FROM eclipse-temurin:17-jre-jammy
# A numeric non-root user, so that Kubernetes can check runAsNonRoot without a passwd lookup.
RUN groupadd --system --gid 10001 stockstream \
    && useradd --system --uid 10001 --gid 10001 --no-create-home \
       --home-dir /nonexistent --shell /usr/sbin/nologin stockstream
WORKDIR /app
COPY --from=build --chown=0:0 /src/target/stockstream.jar /app/stockstream.jar
USER 10001:10001
# Public port (dashboard, /ws, /api) and management port (/metrics, /health/*). A cluster's ports
# (5701, 5710) are opened by whoever runs the members (k8s/deployment.yaml names them).
EXPOSE 8080 9000
# Exec form: java is PID 1 and gets SIGTERM itself, which drains the WebSockets (exit 0).
# The heap follows the container's memory limit; an OutOfMemoryError ends the process so that
# the orchestrator restarts it rather than leaving a half-working node.
# Memory per connection: an idle WebSocket holds some 2.3 KB of live heap (mostly Netty's objects
# for the open socket); what the process's RSS adds on top is young-generation garbage
# and the code compiled on first use. The serial collector with a young generation capped at
# 32 MB keeps the garbage small (at 6 KB of heap a connection, 18,000 idle connections measured
# 6.7 KB RSS each, against 9.4 KB with the JVM's own sizing) at a cost of frequent, short minor
# pauses; its old generation grows only with what connections keep.
# Netty's leak detector samples 1% of buffers and records every touch of each write on the
# fan-out path (6 to 12% of the server's CPU in a profile); the tests run with it on, the image
# without.
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-XX:+UseSerialGC", "-XX:MaxNewSize=32m", "-Dio.netty.leakDetection.level=disabled", "-XX:+ExitOnOutOfMemoryError", "-jar", "/app/stockstream.jar"]
