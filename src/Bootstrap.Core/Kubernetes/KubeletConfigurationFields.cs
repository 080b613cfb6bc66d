namespace Bootstrap.Core.Kubernetes;

/// <summary>
/// The top-level fields of KubeletConfiguration (kubelet.config.k8s.io/v1beta1) in Kubernetes v1.20, the
/// release the lab verifies, as data: the v1.19 reference (kubernetes/website,
/// content/en/docs/reference/command-line-tools-reference/kubelet-config.v1beta1.md) plus the three fields
/// v1.20 added (topologyManagerScope; shutdownGracePeriod and shutdownGracePeriodCriticalPods for graceful
/// node shutdown), as in staging/src/k8s.io/kubelet/config/v1beta1/types.go at v1.20. A kubelet.configPatch
/// key outside this set is most likely a typo (maxPod) and gets a warning.
/// </summary>
internal static class KubeletConfigurationFields
{
    public static IReadOnlyList<string> V1_20 { get; } =
    [
        "apiVersion", "kind",
        "enableServer", "staticPodPath", "syncFrequency", "fileCheckFrequency", "httpCheckFrequency",
        "staticPodURL", "staticPodURLHeader", "address", "port", "readOnlyPort", "tlsCertFile",
        "tlsPrivateKeyFile", "tlsCipherSuites", "tlsMinVersion", "rotateCertificates", "serverTLSBootstrap",
        "authentication", "authorization", "registryPullQPS", "registryBurst", "eventRecordQPS", "eventBurst",
        "enableDebuggingHandlers", "enableContentionProfiling", "healthzPort", "healthzBindAddress",
        "oomScoreAdj", "clusterDomain", "clusterDNS", "streamingConnectionIdleTimeout",
        "nodeStatusUpdateFrequency", "nodeStatusReportFrequency", "nodeLeaseDurationSeconds",
        "imageMinimumGCAge", "imageGCHighThresholdPercent", "imageGCLowThresholdPercent",
        "volumeStatsAggPeriod", "kubeletCgroups", "systemCgroups", "cgroupRoot", "cgroupsPerQOS",
        "cgroupDriver", "cpuManagerPolicy", "cpuManagerReconcilePeriod", "topologyManagerPolicy",
        "topologyManagerScope", "qosReserved", "runtimeRequestTimeout", "hairpinMode", "maxPods", "podCIDR",
        "podPidsLimit", "resolvConf", "runOnce", "cpuCFSQuota", "cpuCFSQuotaPeriod", "nodeStatusMaxImages",
        "maxOpenFiles", "contentType", "kubeAPIQPS", "kubeAPIBurst", "serializeImagePulls", "evictionHard",
        "evictionSoft", "evictionSoftGracePeriod", "evictionPressureTransitionPeriod",
        "evictionMaxPodGracePeriod", "evictionMinimumReclaim", "podsPerCore", "enableControllerAttachDetach",
        "protectKernelDefaults", "makeIPTablesUtilChains", "iptablesMasqueradeBit", "iptablesDropBit",
        "featureGates", "failSwapOn", "containerLogMaxSize", "containerLogMaxFiles",
        "configMapAndSecretChangeDetectionStrategy", "systemReserved", "kubeReserved", "reservedSystemCPUs",
        "showHiddenMetricsForVersion", "systemReservedCgroup", "kubeReservedCgroup", "enforceNodeAllocatable",
        "allowedUnsafeSysctls", "volumePluginDir", "providerID", "kernelMemcgNotification", "logging",
        "enableSystemLogHandler", "shutdownGracePeriod", "shutdownGracePeriodCriticalPods",
    ];
}
