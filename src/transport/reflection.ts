// gRPC server reflection, v1 and v1alpha, over the descriptors compiled into
// gen/: `buf curl` and grpcurl can list and call our services without a copy
// of the protos.
import { create, toBinary, type DescFile, type DescService } from "@bufbuild/protobuf";
import { nestedTypes } from "@bufbuild/protobuf/reflect";
import { FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import type { ConnectRouter } from "@connectrpc/connect";
import * as v1 from "../../gen/grpc/reflection/v1/reflection_pb.js";
import * as v1alpha from "../../gen/grpc/reflection/v1alpha/reflection_pb.js";

const NOT_FOUND = 5; // grpc::StatusCode

interface ReflectionRequest {
  host: string;
  messageRequest: { case: string | undefined; value?: unknown };
}

export function reflectionRoutes(services: DescService[]) {
  const all = [...services, v1.ServerReflection, v1alpha.ServerReflection];
  const files = new Map<string, DescFile>();
  const addFile = (f: DescFile) => {
    if (files.has(f.proto.name)) return;
    files.set(f.proto.name, f);
    f.dependencies.forEach(addFile);
  };
  all.forEach((s) => addFile(s.file));

  // fully-qualified symbol → declaring file (services, methods, messages, enums, extensions)
  const symbols = new Map<string, DescFile>();
  const extensions = new Map<string, Map<number, DescFile>>();
  for (const file of files.values()) {
    for (const t of nestedTypes(file)) {
      symbols.set(t.typeName, file);
      if (t.kind === "service") t.methods.forEach((m) => symbols.set(`${t.typeName}.${m.name}`, file));
      if (t.kind === "extension") {
        const byNumber = extensions.get(t.extendee.typeName) ?? new Map<number, DescFile>();
        byNumber.set(t.number, file);
        extensions.set(t.extendee.typeName, byNumber);
      }
    }
  }

  // The file first, then everything it imports, each once.
  const withDependencies = (file: DescFile): Uint8Array[] => {
    const seen = new Set<string>();
    const out: Uint8Array[] = [];
    const visit = (f: DescFile) => {
      if (seen.has(f.proto.name)) return;
      seen.add(f.proto.name);
      out.push(toBinary(FileDescriptorProtoSchema, f.proto));
      f.dependencies.forEach(visit);
    };
    visit(file);
    return out;
  };

  const fileResponse = (file: DescFile | undefined, what: string) =>
    file
      ? { case: "fileDescriptorResponse" as const, value: { fileDescriptorProto: withDependencies(file) } }
      : { case: "errorResponse" as const, value: { errorCode: NOT_FOUND, errorMessage: `${what} not found` } };

  function answer(req: ReflectionRequest) {
    const { case: kind, value } = req.messageRequest;
    switch (kind) {
      case "listServices":
        return { case: "listServicesResponse" as const, value: { service: all.map((s) => ({ name: s.typeName })) } };
      case "fileByFilename":
        return fileResponse(files.get(value as string), `file ${String(value)}`);
      case "fileContainingSymbol":
        return fileResponse(symbols.get(value as string), `symbol ${String(value)}`);
      case "fileContainingExtension": {
        const { containingType, extensionNumber } = value as { containingType: string; extensionNumber: number };
        return fileResponse(extensions.get(containingType)?.get(extensionNumber), `extension ${containingType}(${extensionNumber})`);
      }
      case "allExtensionNumbersOfType": {
        const byNumber = extensions.get(value as string);
        if (!symbols.has(value as string)) return { case: "errorResponse" as const, value: { errorCode: NOT_FOUND, errorMessage: `type ${String(value)} not found` } };
        return { case: "allExtensionNumbersResponse" as const, value: { baseTypeName: value as string, extensionNumber: [...(byNumber?.keys() ?? [])] } };
      }
      default:
        return { case: "errorResponse" as const, value: { errorCode: 12, errorMessage: "unimplemented request kind" } };
    }
  }

  return (router: ConnectRouter) => {
    router.service(v1.ServerReflection, {
      async *serverReflectionInfo(requests) {
        for await (const req of requests) {
          yield create(v1.ServerReflectionResponseSchema, { validHost: req.host, originalRequest: req, messageResponse: answer(req) });
        }
      },
    });
    router.service(v1alpha.ServerReflection, {
      async *serverReflectionInfo(requests) {
        for await (const req of requests) {
          yield create(v1alpha.ServerReflectionResponseSchema, { validHost: req.host, originalRequest: req, messageResponse: answer(req) });
        }
      },
    });
  };
}
