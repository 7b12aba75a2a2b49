# dockaudit as a container image: `docker build -t dockaudit .`
#
#   docker run --rm -v /var/run/docker.sock:/var/run/docker.sock:ro -v /:/host:ro \
#     dockaudit audit --host-root /host
#
# The watcher (deploy/swarm/stack.yml, deploy/kubernetes/) runs `dockaudit watch` from this image.
# dockaudit links only glibc and libgcc (the vulnerability database's SQLite is built in), so the
# runtime image is distroless "cc": no shell, no package manager, nothing else to audit or patch.

FROM rust:1.85-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked -p dockaudit \
 && cp target/release/dockaudit /dockaudit

FROM gcr.io/distroless/cc-debian12
COPY --from=build /dockaudit /dockaudit
# Root in the container, all capabilities dropped by the deploy files: the engine socket is
# root:docker 0660 on the host, and the docker group's id differs from host to host.
ENTRYPOINT ["/dockaudit"]
CMD ["watch", "--listen", "0.0.0.0:9323", "--host-root", "/host"]
EXPOSE 9323
LABEL org.opencontainers.image.title="dockaudit" \
      org.opencontainers.image.description="Audits a container host end to end and tells you exactly what to fix."
