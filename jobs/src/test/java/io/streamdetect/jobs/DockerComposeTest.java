package io.streamdetect.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * docker-compose.yml cannot be started here (no Docker daemon, no GPU), so this reads it the way Compose
 * would and checks what the deployment depends on: services, ports, volumes, the GPU reservation, Flink's
 * GPU and Prometheus configuration, and that the submitted job's settings and jar are the ones this build makes.
 */
@SuppressWarnings("unchecked")
class DockerComposeTest {
    private static Path root;
    private static Map<String, Object> services;

    @BeforeAll
    static void load() throws IOException {
        root = Path.of("").toAbsolutePath();
        while (!Files.exists(root.resolve("docker-compose.yml"))) {
            root = root.getParent();
        }
        services = map(yaml(root.resolve("docker-compose.yml")), "services");
    }

    @Test
    void hasTheServicesOfAGpuDeployment() {
        assertThat(services).containsKeys("kafka", "kafka-topics", "jobmanager", "taskmanager-gpu", "engine-export",
                "submit", "prometheus");
    }

    @Test
    void kafkaIsASingleKraftNodeReachableFromHostAndContainers() {
        Map<String, Object> kafka = map(services, "kafka");
        Map<String, Object> env = map(kafka, "environment");
        assertThat(env.get("KAFKA_PROCESS_ROLES")).isEqualTo("broker,controller");
        assertThat(env).doesNotContainKey("KAFKA_ZOOKEEPER_CONNECT");
        assertThat(list(kafka, "ports")).contains("9092:9092");
        assertThat((String) env.get("KAFKA_ADVERTISED_LISTENERS")).contains("kafka:19092", "localhost:9092");
        // the sinks' 10-minute transactions must fit under the broker's maximum
        assertThat(Long.parseLong(env.get("KAFKA_TRANSACTION_MAX_TIMEOUT_MS").toString()))
                .isGreaterThanOrEqualTo(StreamingJobOptions.TRANSACTION_TIMEOUT.defaultValue().toMillis());
    }

    @Test
    void theTaskManagerReservesAGpuAndGivesItToFlinkAsAnExternalResource() throws IOException {
        Map<String, Object> tm = map(services, "taskmanager-gpu");
        Map<String, Object> device = (Map<String, Object>) list(map(map(map(tm, "deploy"), "resources"), "reservations"),
                "devices").get(0);
        assertThat(device.get("driver")).isEqualTo("nvidia");
        assertThat((List<Object>) device.get("capabilities")).contains("gpu");

        Map<String, Object> flink = flinkProperties(tm);
        assertThat(flink.get("external-resources")).isEqualTo("gpu");
        assertThat(flink.get("external-resource.gpu.driver-factory.class"))
                .isEqualTo("org.apache.flink.externalresource.gpu.GPUDriverFactory");
        assertThat(flink.get("external-resource.gpu.amount")).isEqualTo(1);
        assertThat(flink.get("taskmanager.numberOfTaskSlots")).isEqualTo(2);
        assertThat(flink.get("metrics.reporter.prom.factory.class").toString()).contains("PrometheusReporterFactory");
        assertThat(Files.readString(root.resolve("docker/taskmanager-gpu/Dockerfile")))
                .contains("libnvinfer10=${TENSORRT}", "TENSORRT=10.6", "nvidia-gpu-discovery.sh");
    }

    @Test
    void modelsAndThePlanCacheAreVolumesWhereTheJobLooks() throws IOException {
        for (String service : List.of("taskmanager-gpu", "engine-export")) {
            Map<String, Object> s = map(services, service);
            assertThat(list(s, "volumes")).as(service).contains("./models:/models:ro", "engine-cache:/var/cache/streamdetect");
            assertThat(map(s, "environment").get("STREAMDETECT_ENGINE_CACHE").toString())
                    .startsWith("/var/cache/streamdetect/");
        }
        assertThat(map(yaml(root.resolve("docker-compose.yml")), "volumes")).containsKeys("engine-cache", "kafka-data");
    }

    @Test
    void theSubmittedJobIsThisBuildsJarWithValidSettings() throws Exception {
        String command = String.join(" ", list(map(services, "submit"), "command").stream().map(Object::toString).toList());
        assertThat(command).contains("flink run", "/opt/streamdetect/jobs/streamdetect-job.jar", " stream ",
                "--config /opt/streamdetect/conf/stream.properties");
        assertThat(list(map(services, "submit"), "volumes")).contains("./jobs/target:/opt/streamdetect/jobs:ro",
                "./docker/conf:/opt/streamdetect/conf:ro");
        assertThat(Files.readString(root.resolve("jobs/pom.xml"))).contains("<outputFile>${project.build.directory}/streamdetect-job.jar");

        Configuration config = StreamingJobOptions.load(root.resolve("docker/conf/stream.properties"));
        StreamingJobOptions.validate(config);
        assertThat(config.get(StreamingJobOptions.BOOTSTRAP_SERVERS)).isEqualTo("kafka:19092");
        assertThat(config.get(StreamingJobOptions.BACKEND)).isEqualTo("tensorrt");
        assertThat(config.get(StreamingJobOptions.PARALLELISM))
                .isEqualTo(flinkProperties(map(services, "taskmanager-gpu")).get("taskmanager.numberOfTaskSlots"));
        // engine-export must build exactly the plan the job will look up: same model, precision and batch
        String export = String.join(" ", list(map(services, "engine-export"), "command").stream().map(Object::toString).toList());
        assertThat(export).contains("--model " + config.get(StreamingJobOptions.MODEL),
                "--precision " + config.get(StreamingJobOptions.PRECISION),
                "--max-batch " + config.get(StreamingJobOptions.MAX_BATCH_SIZE));
    }

    @Test
    void prometheusScrapesEveryFlinkProcess() throws IOException {
        assertThat(list(map(services, "prometheus"), "ports")).contains("9090:9090");
        Map<String, Object> scrape = (Map<String, Object>) list(yaml(root.resolve("docker/prometheus/prometheus.yml")),
                "scrape_configs").get(0);
        List<Object> targets = list((Map<String, Object>) list(scrape, "static_configs").get(0), "targets");
        assertThat(targets).containsExactlyInAnyOrder("jobmanager:9249", "taskmanager-gpu:9249");
        assertThat(flinkProperties(map(services, "jobmanager")).get("metrics.reporter.prom.port")).isEqualTo(9249);
        assertThat(list(map(services, "jobmanager"), "ports")).contains("8081:8081");
    }

    @Test
    void theGpuImageInstallsAsRootFromTheRepositoryOfItsUbuntuAndHandsBackToFlink() throws IOException {
        String dockerfile = Files.readString(root.resolve("docker/taskmanager-gpu/Dockerfile"));
        // flink:2.2.1-java17 is eclipse-temurin 17 on Ubuntu 24.04 and ends with USER flink
        assertThat(dockerfile).contains("repos/ubuntu2404/").doesNotContain("ubuntu2204");
        assertThat(dockerfile.indexOf("USER root")).isPositive().isLessThan(dockerfile.indexOf("apt-get"));
        assertThat(dockerfile.strip()).endsWith("USER flink");
        // cuDNN pinned to the 9.5 line of the JavaCPP cuda 12.6-9.5 presets, and held there
        assertThat(dockerfile).containsPattern("ARG CUDNN=9\\.5\\.").contains("libcudnn9-cuda-12=${CUDNN}")
                .containsPattern("apt-mark hold [^\\n]*libcudnn9-cuda-12");
    }

    @Test
    void noServiceNamesABuiltInPluginTheImageDoesNotHave() {
        // the 2.2 entrypoint exits when ENABLE_BUILT_IN_PLUGINS names a jar missing from opt/; the Prometheus
        // reporter is already in plugins/metrics-prometheus/
        services.forEach((name, service) -> {
            Object env = ((Map<String, Object>) service).get("environment");
            if (env instanceof Map<?, ?> e) {
                assertThat(e.containsKey("ENABLE_BUILT_IN_PLUGINS")).as(name + " sets ENABLE_BUILT_IN_PLUGINS").isFalse();
            }
        });
    }

    @Test
    void engineExportWritesItsPlanIntoTheWritableCacheNotTheReadOnlyModels() {
        String export = String.join(" ", list(map(services, "engine-export"), "command").stream().map(Object::toString).toList());
        assertThat(export).containsPattern("--out /var/cache/streamdetect/\\S+\\.engine");
        assertThat(list(map(services, "engine-export"), "volumes")).contains("engine-cache:/var/cache/streamdetect", "./models:/models:ro");
    }

    @Test
    void theCheckpointVolumeBelongsToFlinksUserBeforeFlinkStarts() {
        Map<String, Object> init = map(services, "flink-volumes");
        assertThat(init.get("user").toString()).isEqualTo("0");
        assertThat(String.join(" ", list(init, "entrypoint").stream().map(Object::toString).toList()))
                .isEqualTo("chown -R 9999:9999 /var/lib/flink/checkpoints");
        assertThat(list(init, "volumes")).contains("flink-checkpoints:/var/lib/flink/checkpoints");
        for (String service : List.of("jobmanager", "taskmanager-gpu")) {
            assertThat(list(map(services, service), "volumes")).contains("flink-checkpoints:/var/lib/flink/checkpoints");
            assertThat(map(map(map(services, service), "depends_on"), "flink-volumes").get("condition"))
                    .isEqualTo("service_completed_successfully");
            assertThat(flinkProperties(map(services, service)).get("execution.checkpointing.dir"))
                    .isEqualTo("file:///var/lib/flink/checkpoints");
        }
    }

    @Test
    void kafkaKeepsItsLogOnTheDataVolume() {
        Map<String, Object> kafka = map(services, "kafka");
        assertThat(map(kafka, "environment").get("KAFKA_LOG_DIRS")).isEqualTo("/var/lib/kafka/data");
        assertThat(list(kafka, "volumes")).contains("kafka-data:/var/lib/kafka/data");
    }

    @Test
    void flinkSettingsAreSharedWithBinClusterThroughOneFile() throws IOException {
        Map<String, Object> shared = sharedFlinkSettings();
        assertThat(shared).containsKeys("restart-strategy.type", "state.backend.type", "execution.checkpointing.mode",
                "execution.checkpointing.externalized-checkpoint-retention", "heartbeat.interval",
                "taskmanager.numberOfTaskSlots");
        assertThat(Files.readString(root.resolve("scripts/cluster/cluster.sh"))).contains("docker/conf/flink.yaml");
        assertThat(Files.readString(root.resolve("docker/conf/flink-entrypoint.sh")))
                .contains("flink.yaml", "FLINK_PROPERTIES", "exec /docker-entrypoint.sh");
        for (String service : List.of("jobmanager", "taskmanager-gpu")) {
            Map<String, Object> s = map(services, service);
            assertThat(String.join(" ", list(s, "entrypoint").stream().map(Object::toString).toList()))
                    .isEqualTo("bash /opt/streamdetect/conf/flink-entrypoint.sh");
            assertThat(list(s, "volumes")).contains("./docker/conf:/opt/streamdetect/conf:ro");
            // a key in both would be written twice into config.yaml
            assertThat(ownFlinkProperties(s).keySet()).as(service).doesNotContainAnyElementsOf(shared.keySet());
        }
    }

    /** What a Flink service runs with: docker/conf/flink.yaml, then its own FLINK_PROPERTIES (flat YAML). */
    private static Map<String, Object> flinkProperties(Map<String, Object> service) {
        Map<String, Object> all = new java.util.LinkedHashMap<>();
        try {
            all.putAll(sharedFlinkSettings());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        all.putAll(ownFlinkProperties(service));
        return all;
    }

    private static Map<String, Object> ownFlinkProperties(Map<String, Object> service) {
        return (Map<String, Object>) new Load(LoadSettings.builder().build())
                .loadFromString(map(service, "environment").get("FLINK_PROPERTIES").toString());
    }

    private static Map<String, Object> sharedFlinkSettings() throws IOException {
        return yaml(root.resolve("docker/conf/flink.yaml"));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> yaml(Path file) throws IOException {
        return (Map<String, Object>) new Load(LoadSettings.builder().build()).loadFromString(Files.readString(file));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Map<String, Object> parent, String key) {
        assertThat(parent).containsKey(key);
        return (Map<String, Object>) parent.get(key);
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Map<String, Object> parent, String key) {
        assertThat(parent).containsKey(key);
        return (List<Object>) parent.get(key);
    }
}
