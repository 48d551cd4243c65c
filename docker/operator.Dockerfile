# syntax=docker/dockerfile:1
# DittoFS Kubernetes operator image. Build from the repository root:
#   docker build -f docker/operator.Dockerfile -t dittofs-operator:0.1.0-SNAPSHOT .
# Deployed by docker/k8s/operator.yaml. Files outside the build are excluded by
# operator.Dockerfile.dockerignore.

# ---- build: the project's Maven wrapper on JDK 25; only the operator module (it depends on no
# other module of the project), tests run in CI, not here. The CRD generator still runs (it is part of
# the build) and puts the CRD into the jar.
FROM eclipse-temurin:25-jdk AS build
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/root/.m2 \
    ./mvnw -B -q -DskipTests package -pl operator \
 && mkdir -p /out \
 && cp -r operator/target/dittofs-operator.jar operator/target/lib /out/

# ---- runtime: JRE 25, a non-root user, nothing written to disk
FROM eclipse-temurin:25-jre
RUN groupadd --system --gid 10002 dittofs-operator \
 && useradd --system --uid 10002 --gid dittofs-operator --no-create-home --shell /usr/sbin/nologin dittofs-operator
COPY --from=build /out/ /opt/dittofs-operator/
USER 10002:10002
# The in-cluster service account is found by the Fabric8 client (KUBERNETES_SERVICE_HOST and the
# mounted token); java is PID 1, so SIGTERM stops the informers and reconcilers cleanly.
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-jar", "/opt/dittofs-operator/dittofs-operator.jar"]
